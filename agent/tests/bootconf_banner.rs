//! The status page on the real binary shows system-stats-bootconf's banner
//! when the last application of system-stats.conf ignored something (read
//! from `SYSTEM_STATS_BOOTCONF_RESULT_FILE` at each request), and none when
//! everything was applied or there is no result file.
#![cfg(target_os = "linux")]

mod support;

use support::Agent;

#[test]
fn the_status_page_names_what_the_card_could_not_apply() {
    let dir = tempfile::tempdir().expect("tempdir");
    let result = dir.path().join("result.json");
    let agent = Agent::start(&[(
        "SYSTEM_STATS_BOOTCONF_RESULT_FILE",
        result.to_str().expect("utf8"),
    )]);
    let page = |agent: &Agent| {
        let r = agent.get("/");
        assert_eq!(r.status, 200);
        r.body
    };
    assert!(
        !page(&agent).contains("bootconf-banner"),
        "no file, no banner"
    );

    std::fs::write(
        &result,
        r#"{"file":"/boot/firmware/system-stats.conf","ignored":1,"keys":[
            {"line":1,"key":"hostname","status":"applied","reason":null},
            {"line":2,"key":"SYSTEM_STATS_URL","status":"ignored","reason":"\"http://127.0.0.1:99999/system\" is not valid"}]}"#,
    )
    .expect("write result");
    let shown = page(&agent);
    assert!(shown.contains("id=\"bootconf-banner\""), "banner expected");
    assert!(shown.contains(
        "line 2: <b>SYSTEM_STATS_URL</b>: &quot;http://127.0.0.1:99999/system&quot; is not valid"
    ));

    std::fs::write(
        &result,
        r#"{"ignored":0,"keys":[{"line":1,"key":"hostname","status":"applied","reason":null}]}"#,
    )
    .expect("write result");
    assert!(
        !page(&agent).contains("bootconf-banner"),
        "all applied, no banner"
    );
}
