//! The history file across a rolled-back upgrade, with the real agent: a
//! history.bin in a newer format than this agent reads (left by a newer
//! version before the rollback) is kept untouched as history.bin.v<N>, the
//! agent says why in one warning, starts empty, and saves its own
//! history.bin on stop without touching the kept one.

mod support;

use std::time::Duration;
use support::Agent;

#[test]
fn a_newer_history_file_is_kept_aside_untouched_and_a_fresh_one_is_saved() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut newer = b"ssHIST\r\n".to_vec();
    newer.extend_from_slice(&99u32.to_le_bytes());
    newer.extend_from_slice(b"whatever a future format holds");
    std::fs::write(dir.path().join("history.bin"), &newer).expect("write");

    let mut agent = Agent::start(&[(
        "SYSTEM_STATS_HISTORY_DIR",
        dir.path().to_str().expect("utf8"),
    )]);
    let line = agent.wait_log_line(&[" WARN ", "newer system-stats", "format 99"]);
    assert!(line.contains("history.bin.v99"), "{line}");
    let kept = dir.path().join("history.bin.v99");
    assert_eq!(std::fs::read(&kept).expect("kept"), newer);
    assert_eq!(agent.get("/history").status, 200);

    agent.sigterm();
    let code = agent.exit_code_within(Duration::from_secs(20));
    assert_eq!(
        code,
        Some(Some(0)),
        "agent did not stop with 0 after SIGTERM"
    );
    let saved = std::fs::read(dir.path().join("history.bin")).expect("saved on stop");
    assert_eq!(&saved[8..12], &1u32.to_le_bytes(), "this agent's format");
    assert_eq!(std::fs::read(&kept).expect("still kept"), newer);
}
