//! Upgrading keeps every destination's place in the queue: a spool whose
//! remote-write cursor file still has the name the previous release gave it
//! (a hash of `format!("{:?}", auth)`) is renamed on start, and the backlog
//! spooled for it is delivered, not skipped as for a new destination. The
//! same for a JSON server whose URL holds a password (its hash covered it).

mod support;

use reqwest::Url;
use support::*;
use system_stats_forwarder::destination::identity;

#[test]
fn old_style_cursor_file_keeps_its_position() {
    let source = Source::start();
    let mut remote = RemoteReceiver::stopped();
    let spool = tempfile::tempdir().unwrap();
    let mut env = base_env(&source.url, "", spool.path());
    env.push(("SYSTEM_STATS_REMOTE_WRITE_URL", remote.url()));
    env.push(("SYSTEM_STATS_REMOTE_WRITE_USERNAME", "me".into()));
    env.push(("SYSTEM_STATS_REMOTE_WRITE_PASSWORD", "pw".into()));

    // A backlog while the engine is down, then a clean stop.
    let mut fwd = Forwarder::spawn(&env);
    assert!(
        wait_until(LONG, || source.served().len() >= 4),
        "{}",
        fwd.log()
    );
    source.pause(INTERVAL);
    assert!(fwd.terminate(LONG).is_some_and(|s| s.success()));
    let cursors = spool.path().join("cursors");
    let url = Url::parse(&remote.url()).unwrap();
    let key = identity::remote_write_key(&url, Some("me"));
    assert!(cursors.join(&key).is_file(), "{key} missing");

    // As the previous release left it.
    let legacy = identity::legacy_remote_write_key(
        &url,
        r#"Basic { username: "me", password: Some("pw") }"#,
    );
    std::fs::rename(cursors.join(&key), cursors.join(&legacy)).unwrap();

    remote.up();
    let fwd = Forwarder::spawn(&env);
    // The first scrape (spooled before the upgrade) arrives.
    assert!(
        wait_until(LONG, || remote
            .accepted()
            .iter()
            .any(|w| w.points("test_scrape_id").iter().any(|(_, v)| *v == 1.0))),
        "backlog skipped\n{}",
        fwd.log()
    );
    assert!(cursors.join(&key).is_file());
    assert!(!cursors.join(&legacy).exists());
    assert!(fwd.log().contains("renamed"), "{}", fwd.log());
}

#[test]
fn old_style_json_cursor_with_a_password_keeps_its_position() {
    let source = Source::start();
    let mut receiver = Receiver::stopped();
    let spool = tempfile::tempdir().unwrap();
    let url = receiver.url().replace("http://", "http://me:pw@");
    let env = base_env(&source.url, &url, spool.path());
    let mut fwd = Forwarder::spawn(&env);
    assert!(
        wait_until(LONG, || source.served().len() >= 4),
        "{}",
        fwd.log()
    );
    let expected = ids(&source.pause(INTERVAL));
    assert!(fwd.terminate(LONG).is_some_and(|s| s.success()));
    let cursors = spool.path().join("cursors");
    let parsed = Url::parse(&url).unwrap();
    let key = identity::json_server_key(&parsed);
    let legacy = identity::legacy_json_server_key(&parsed).expect("a password");
    assert_ne!(key, legacy);
    std::fs::rename(cursors.join(&key), cursors.join(&legacy)).unwrap();

    receiver.up();
    let fwd = Forwarder::spawn(&env);
    assert!(
        wait_until(LONG, || receiver.accepted_ids().last() == expected.last()),
        "{}",
        fwd.log()
    );
    assert_all_in_order(&receiver.accepted_ids(), &expected, 0);
    assert!(!cursors.join(&legacy).exists());
}
