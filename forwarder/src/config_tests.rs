//! Unit tests of the configuration: defaults, lists, errors naming the
//! variable, secrets never echoed, spool directory order, remote write.

use super::*;

fn run(vars: &[(&str, &str)]) -> Result<Config, String> {
    let dir = std::env::temp_dir().join("ssf-config-test");
    let mut vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if !vars.iter().any(|(k, _)| k == SPOOL_DIR) {
        vars.push((SPOOL_DIR.into(), dir.to_string_lossy().into_owned()));
    }
    let env = move |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    match parse(Vec::<OsString>::new(), env)? {
        Parsed::Run(c) => Ok(*c),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn defaults_match_the_seed() {
    let c = run(&[]).unwrap();
    assert_eq!(c.source_url.as_str(), "http://127.0.0.1:5001/system");
    assert_eq!(c.destinations.len(), 1);
    assert_eq!(c.destinations[0].as_str(), "http://127.0.0.1:5050/metrics");
    assert_eq!(c.interval, Duration::from_secs(30));
    assert_eq!(c.timeout, Duration::from_secs(10));
    assert_eq!(c.spool_max_bytes, 67_108_864);
    assert_eq!(c.token, None);
}

#[test]
fn several_destinations_and_fractions() {
    let c = run(&[
        (METRICS_URL, "http://a:1/metrics, https://b/metrics"),
        (INTERVAL, "0.25"),
        (TOKEN, "s3cret"),
    ])
    .unwrap();
    assert_eq!(c.destinations.len(), 2);
    assert_eq!(c.interval, Duration::from_millis(250));
    assert_eq!(c.token.as_deref(), Some("s3cret"));
}

#[test]
fn bad_values_name_the_variable() {
    for (var, value) in [
        (INTERVAL, "0"),
        (INTERVAL, "-1"),
        (INTERVAL, "abc"),
        (INTERVAL, "NaN"),
        (TIMEOUT, "0"),
        (SOURCE_URL, "not a url"),
        (SOURCE_URL, "ftp://host/x"),
        (METRICS_URL, "http://ok/metrics,nope"),
        (METRICS_URL, " , "),
        (LOG_LEVEL, "loud"),
        (LOG_FORMAT, "xml"),
        (SPOOL_MAX_BYTES, "12"),
        (SPOOL_MAX_BYTES, "lots"),
        (SPOOL_DIR, "/proc/version/spool"),
    ] {
        let e = run(&[(var, value)]).unwrap_err();
        assert!(e.contains(var), "{var}={value}: {e}");
        assert!(!e.contains('\n'), "{e}");
    }
}

#[test]
fn token_is_never_echoed() {
    let e = run(&[(TOKEN, "bad\ntoken")]).unwrap_err();
    assert!(e.contains(TOKEN) && !e.contains("bad"), "{e}");
}

#[test]
fn spool_dir_default_order() {
    let env = |vars: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    };
    let d = default_spool_dir(&env(&[
        ("STATE_DIRECTORY", "/var/lib/x:/var/lib/y"),
        ("HOME", "/h"),
    ]));
    assert_eq!(d, Some(PathBuf::from("/var/lib/x")));
    let d = default_spool_dir(&env(&[("XDG_STATE_HOME", "/s"), ("HOME", "/h")]));
    assert_eq!(d, Some(PathBuf::from("/s/system-stats")));
    let d = default_spool_dir(&env(&[("HOME", "/h")]));
    assert_eq!(d, Some(PathBuf::from("/h/.local/state/system-stats")));
    assert_eq!(default_spool_dir(&env(&[])), None);
}

#[test]
fn remote_write_settings() {
    use crate::remote_write::settings::Auth;
    // Remote write alone: no default JSON destination.
    let c = run(&[
        (
            REMOTE_WRITE_URL,
            "http://u:p%40ss@prom:9090/api/v1/write, https://vm/api/v1/write",
        ),
        (REMOTE_WRITE_LABELS, "site=lab,job=farm"),
    ])
    .unwrap();
    assert!(c.destinations.is_empty());
    let rw = c.remote_write.unwrap();
    assert_eq!(rw.metrics_source.as_str(), "http://127.0.0.1:5001/metrics");
    assert_eq!(
        rw.endpoints[0].url.as_str(),
        "http://prom:9090/api/v1/write"
    );
    assert_eq!(
        rw.endpoints[0].auth,
        Auth::Basic {
            username: "u".into(),
            password: Some("p@ss".into())
        }
    );
    assert_eq!(rw.endpoints[1].auth, Auth::None);
    assert_eq!(rw.labels[1], ("job".to_string(), "farm".to_string()));
    // Both kinds; env credentials and bearer.
    let c = run(&[
        (REMOTE_WRITE_URL, "http://prom/api/v1/write"),
        (METRICS_URL, "http://server/metrics"),
        (REMOTE_WRITE_BEARER_TOKEN, "t0k"),
        (METRICS_SOURCE_URL, "http://agent:5001/metrics"),
    ])
    .unwrap();
    assert_eq!(c.destinations.len(), 1);
    let rw = c.remote_write.unwrap();
    assert_eq!(rw.endpoints[0].auth, Auth::Bearer("t0k".into()));
    assert_eq!(rw.metrics_source.as_str(), "http://agent:5001/metrics");
    let c = run(&[
        (REMOTE_WRITE_URL, "http://prom/api/v1/write"),
        (REMOTE_WRITE_USERNAME, "me"),
    ])
    .unwrap();
    assert_eq!(
        c.remote_write.unwrap().endpoints[0].auth,
        Auth::Basic {
            username: "me".into(),
            password: None
        }
    );
    // Without remote write an empty JSON list is still an error.
    assert!(run(&[(METRICS_URL, "")]).unwrap_err().contains(METRICS_URL));
}

#[test]
fn bad_remote_write_values_name_the_variable() {
    let rw = (REMOTE_WRITE_URL, "http://prom/api/v1/write");
    for (vars, var) in [
        (vec![(REMOTE_WRITE_URL, "prom:9090")], REMOTE_WRITE_URL),
        (
            vec![(REMOTE_WRITE_URL, "http://a/w,http://a/w")],
            REMOTE_WRITE_URL,
        ),
        (vec![rw, (REMOTE_WRITE_LABELS, "site")], REMOTE_WRITE_LABELS),
        (
            vec![rw, (REMOTE_WRITE_LABELS, "__name__=x")],
            REMOTE_WRITE_LABELS,
        ),
        (vec![rw, (METRICS_SOURCE_URL, "nope")], METRICS_SOURCE_URL),
        (vec![rw, (SOURCE_URL, "http://a/snap")], METRICS_SOURCE_URL),
        (
            vec![rw, (REMOTE_WRITE_PASSWORD, "secret")],
            REMOTE_WRITE_PASSWORD,
        ),
        (
            vec![
                rw,
                (REMOTE_WRITE_USERNAME, "u"),
                (REMOTE_WRITE_BEARER_TOKEN, "secret"),
            ],
            REMOTE_WRITE_BEARER_TOKEN,
        ),
        (
            vec![rw, (REMOTE_WRITE_BEARER_TOKEN, "bad\nsecret")],
            REMOTE_WRITE_BEARER_TOKEN,
        ),
    ] {
        let e = run(&vars).unwrap_err();
        assert!(e.contains(var), "{vars:?}: {e}");
        assert!(!e.contains('\n') && !e.contains("secret"), "{e}");
    }
    let e = run(&[(REMOTE_WRITE_URL, "http://u:secret@a/w,nope")]).unwrap_err();
    assert!(e.contains(REMOTE_WRITE_URL) && !e.contains("secret"), "{e}");
}
