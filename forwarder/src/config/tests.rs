//! Unit tests of the configuration: defaults, lists, errors naming the
//! variable, secrets never echoed, spool directory order, remote write.

use super::*;
use system_stats_common::logging::LOG_FORMAT;
use values::default_spool_dir;

fn run(vars: &[(&str, &str)]) -> Result<Config, String> {
    let dir = std::env::temp_dir().join("ssf-config-test");
    let mut vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if !vars.iter().any(|(k, _)| k == SPOOL_DIR.env) {
        vars.push((SPOOL_DIR.env.into(), dir.to_string_lossy().into_owned()));
    }
    let env = move |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    match parse(Vec::<OsString>::new(), env).map_err(|e| e.to_string())? {
        Invocation::Run(c) => Ok(c),
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
    assert!(c.token.is_none());
}

#[test]
fn several_destinations_and_fractions() {
    let c = run(&[
        (METRICS_URL.env, "http://a:1/metrics, https://b/metrics"),
        (INTERVAL.env, "0.25"),
        (TOKEN.env, "s3cret"),
    ])
    .unwrap();
    assert_eq!(c.destinations.len(), 2);
    assert_eq!(c.interval, Duration::from_millis(250));
    assert_eq!(c.token.as_ref().map(Secret::expose), Some("s3cret"));
}

#[test]
fn bad_values_name_the_variable() {
    for (var, value) in [
        (INTERVAL.env, "0"),
        (INTERVAL.env, "-1"),
        (INTERVAL.env, "abc"),
        (INTERVAL.env, "NaN"),
        (TIMEOUT.env, "0"),
        (SOURCE_URL.env, "not a url"),
        (SOURCE_URL.env, "ftp://host/x"),
        (METRICS_URL.env, "http://ok/metrics,nope"),
        (METRICS_URL.env, " , "),
        (LOG_LEVEL.env, "loud"),
        (LOG_FORMAT.env, "xml"),
        (SPOOL_MAX_BYTES.env, "12"),
        (SPOOL_MAX_BYTES.env, "lots"),
        (SPOOL_DIR.env, "/proc/version/spool"),
    ] {
        let e = run(&[(var, value)]).unwrap_err();
        assert!(e.contains(var), "{var}={value}: {e}");
        assert!(!e.contains('\n'), "{e}");
    }
}

#[test]
fn token_is_never_echoed() {
    let e = run(&[(TOKEN.env, "bad\ntoken")]).unwrap_err();
    assert!(e.contains(TOKEN.env) && !e.contains("bad"), "{e}");
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
            REMOTE_WRITE_URL.env,
            "http://u:p%40ss@prom:9090/api/v1/write, https://vm/api/v1/write",
        ),
        (REMOTE_WRITE_LABELS.env, "site=lab,job=farm"),
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
            password: Some(Secret::new("p@ss"))
        }
    );
    assert_eq!(rw.endpoints[1].auth, Auth::None);
    assert_eq!(rw.labels[1], ("job".to_string(), "farm".to_string()));
    // Both kinds; env credentials and bearer.
    let c = run(&[
        (REMOTE_WRITE_URL.env, "http://prom/api/v1/write"),
        (METRICS_URL.env, "http://server/metrics"),
        (REMOTE_WRITE_BEARER_TOKEN.env, "t0k"),
        (METRICS_SOURCE_URL.env, "http://agent:5001/metrics"),
    ])
    .unwrap();
    assert_eq!(c.destinations.len(), 1);
    let rw = c.remote_write.unwrap();
    assert_eq!(rw.endpoints[0].auth, Auth::Bearer(Secret::new("t0k")));
    assert_eq!(rw.metrics_source.as_str(), "http://agent:5001/metrics");
    let c = run(&[
        (REMOTE_WRITE_URL.env, "http://prom/api/v1/write"),
        (REMOTE_WRITE_USERNAME.env, "me"),
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
    assert!(run(&[(METRICS_URL.env, "")])
        .unwrap_err()
        .contains(METRICS_URL.env));
}

#[test]
fn bad_remote_write_values_name_the_variable() {
    let rw = (REMOTE_WRITE_URL.env, "http://prom/api/v1/write");
    for (vars, var) in [
        (
            vec![(REMOTE_WRITE_URL.env, "prom:9090")],
            REMOTE_WRITE_URL.env,
        ),
        (
            vec![(REMOTE_WRITE_URL.env, "http://a/w,http://a/w")],
            REMOTE_WRITE_URL.env,
        ),
        (
            vec![rw, (REMOTE_WRITE_LABELS.env, "site")],
            REMOTE_WRITE_LABELS.env,
        ),
        (
            vec![rw, (REMOTE_WRITE_LABELS.env, "__name__=x")],
            REMOTE_WRITE_LABELS.env,
        ),
        (
            vec![rw, (METRICS_SOURCE_URL.env, "nope")],
            METRICS_SOURCE_URL.env,
        ),
        (
            vec![rw, (SOURCE_URL.env, "http://a/snap")],
            METRICS_SOURCE_URL.env,
        ),
        (
            vec![rw, (REMOTE_WRITE_PASSWORD.env, "secret")],
            REMOTE_WRITE_PASSWORD.env,
        ),
        (
            vec![
                rw,
                (REMOTE_WRITE_USERNAME.env, "u"),
                (REMOTE_WRITE_BEARER_TOKEN.env, "secret"),
            ],
            REMOTE_WRITE_BEARER_TOKEN.env,
        ),
        (
            vec![rw, (REMOTE_WRITE_BEARER_TOKEN.env, "bad\nsecret")],
            REMOTE_WRITE_BEARER_TOKEN.env,
        ),
    ] {
        let e = run(&vars).unwrap_err();
        assert!(e.contains(var), "{vars:?}: {e}");
        assert!(!e.contains('\n') && !e.contains("secret"), "{e}");
    }
    let e = run(&[(REMOTE_WRITE_URL.env, "http://u:secret@a/w,nope")]).unwrap_err();
    assert!(
        e.contains(REMOTE_WRITE_URL.env) && !e.contains("secret"),
        "{e}"
    );
}

#[test]
fn mqtt_or_alerts_alone_post_nowhere_else() {
    let c = run(&[("SYSTEM_STATS_MQTT_URL", "mqtt://ha:s%40cret@broker.lan")]).unwrap();
    assert!(c.destinations.is_empty());
    let m = c.mqtt.unwrap();
    assert_eq!(
        (m.host.as_str(), m.port, m.tls),
        ("broker.lan", 1883, false)
    );
    assert_eq!(m.username.as_deref(), Some("ha"));
    assert_eq!(m.password.unwrap().expose(), "s@cret");
    assert_eq!(m.discovery_prefix, "homeassistant");
    let c = run(&[("SYSTEM_STATS_ALERT_URLS", "ntfy+https://ntfy.sh/my-pi")]).unwrap();
    assert!(c.destinations.is_empty() && c.mqtt.is_none());
    let a = c.alerts.unwrap();
    assert_eq!(a.thresholds.temp_c, 80.0);
    assert_eq!(a.thresholds.disk_percent, 90.0);
    let c = run(&[("SYSTEM_STATS_MQTT_URL", "mqtts://broker:8884")]).unwrap();
    assert!(c.mqtt.unwrap().tls);
}

#[test]
fn bad_mqtt_and_alert_settings_are_named() {
    for (vars, named, hidden) in [
        (
            vec![("SYSTEM_STATS_MQTT_URL", "http://broker")],
            "SYSTEM_STATS_MQTT_URL",
            "",
        ),
        (
            vec![("SYSTEM_STATS_MQTT_URL", "mqtt://u:pw@")],
            "SYSTEM_STATS_MQTT_URL",
            "pw",
        ),
        (
            vec![
                ("SYSTEM_STATS_MQTT_URL", "mqtt://b"),
                ("SYSTEM_STATS_MQTT_PASSWORD", "pw"),
            ],
            "SYSTEM_STATS_MQTT_PASSWORD",
            "pw",
        ),
        (
            vec![
                ("SYSTEM_STATS_MQTT_URL", "mqtt://b"),
                ("SYSTEM_STATS_MQTT_CA_FILE", "/etc/hostname"),
            ],
            "SYSTEM_STATS_MQTT_CA_FILE",
            "",
        ),
        (
            vec![
                ("SYSTEM_STATS_MQTT_URL", "mqtt://b"),
                ("SYSTEM_STATS_MQTT_DISCOVERY_PREFIX", "ha/#"),
            ],
            "SYSTEM_STATS_MQTT_DISCOVERY_PREFIX",
            "",
        ),
        (
            vec![("SYSTEM_STATS_ALERT_URLS", "ntfy+https://ntfy.sh/")],
            "SYSTEM_STATS_ALERT_URLS",
            "",
        ),
        (
            vec![("SYSTEM_STATS_ALERT_URLS", "gopher://x/y")],
            "SYSTEM_STATS_ALERT_URLS",
            "",
        ),
        (
            vec![
                ("SYSTEM_STATS_ALERT_URLS", "http://h/x"),
                ("SYSTEM_STATS_ALERT_TEMP_C", "hot"),
            ],
            "SYSTEM_STATS_ALERT_TEMP_C",
            "",
        ),
        (
            vec![
                ("SYSTEM_STATS_ALERT_URLS", "http://h/x"),
                ("SYSTEM_STATS_ALERT_DISK_PERCENT", "120"),
            ],
            "SYSTEM_STATS_ALERT_DISK_PERCENT",
            "",
        ),
        (
            vec![
                ("SYSTEM_STATS_ALERT_URLS", "http://h/x"),
                ("SYSTEM_STATS_ALERT_TOKEN", "a\nb"),
            ],
            "SYSTEM_STATS_ALERT_TOKEN",
            "a\nb",
        ),
    ] {
        let e = run(&vars).unwrap_err();
        assert!(e.contains(named), "{vars:?}: {e}");
        assert!(
            hidden.is_empty() || !e.contains(hidden),
            "{vars:?} shows the secret: {e}"
        );
        assert!(!e.contains('\n'), "{e}");
    }
}
