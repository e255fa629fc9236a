use super::*;
use std::sync::Arc;

fn snap(at: i64, temp: f64, disk: f64, under_voltage: bool) -> Observation {
    Observation::Snapshot {
        at,
        snapshot: Arc::new(json!({
            "system": {"hostname": "pi", "clock_synchronized": true},
            "cpu": {"temperature_c": temp},
            "disk": {"percent": disk},
            "raspberry_pi": {"throttled": {"under_voltage_now": under_voltage, "throttled_now": false}},
            "filesystems": [{"mount": "/", "readonly": false, "errors_count": 0}]
        })),
    }
}

fn kinds(alerts: &[Alert]) -> Vec<String> {
    alerts
        .iter()
        .map(|a| format!("{} {}", a.kind, a.state))
        .collect()
}

#[test]
fn one_firing_and_one_resolved_per_episode() {
    let t = Thresholds::default();
    let mut rules = Rules::default();
    assert!(rules.observe(&t, &snap(1, 50.0, 10.0, false)).is_empty());
    let fired = rules.observe(&t, &snap(2, 81.0, 10.0, false));
    assert_eq!(kinds(&fired), ["temperature firing"]);
    assert_eq!(fired[0].since, 2);
    assert_eq!(fired[0].value, json!(81.0));
    assert_eq!(fired[0].host, "pi");
    // Flapping around the threshold, inside the band: nothing.
    for (i, temp) in [79.0, 82.0, 76.0, 80.5, 77.0].into_iter().enumerate() {
        assert!(rules
            .observe(&t, &snap(3 + i as i64, temp, 10.0, false))
            .is_empty());
    }
    // Below the band but not long enough, then back: nothing.
    assert!(rules.observe(&t, &snap(10, 60.0, 10.0, false)).is_empty());
    assert!(rules.observe(&t, &snap(11, 60.0, 10.0, false)).is_empty());
    assert!(rules.observe(&t, &snap(12, 78.0, 10.0, false)).is_empty());
    assert!(rules.observe(&t, &snap(13, 60.0, 10.0, false)).is_empty());
    assert!(rules.observe(&t, &snap(14, 60.0, 10.0, false)).is_empty());
    let resolved = rules.observe(&t, &snap(15, 60.0, 10.0, false));
    assert_eq!(kinds(&resolved), ["temperature resolved"]);
    assert_eq!(resolved[0].since, 2);
    assert!(rules.observe(&t, &snap(16, 60.0, 10.0, false)).is_empty());
}

#[test]
fn thresholds_come_from_the_settings() {
    let t = Thresholds {
        disk_percent: 5.0,
        ..Thresholds::default()
    };
    let mut rules = Rules::default();
    assert_eq!(
        kinds(&rules.observe(&t, &snap(1, 40.0, 10.0, true))),
        ["under_voltage firing", "disk firing"]
    );
}

#[test]
fn unreachable_after_several_polls() {
    let t = Thresholds::default();
    let mut rules = Rules::default();
    rules.observe(&t, &snap(1, 40.0, 10.0, false));
    let down = |at| Observation::Unreachable {
        at,
        reason: "refused".into(),
    };
    assert!(rules.observe(&t, &down(2)).is_empty());
    assert!(rules.observe(&t, &down(3)).is_empty());
    assert_eq!(
        kinds(&rules.observe(&t, &down(4))),
        ["agent_unreachable firing"]
    );
    assert!(rules.observe(&t, &down(5)).is_empty());
    for at in 6..8 {
        assert!(rules.observe(&t, &snap(at, 40.0, 10.0, false)).is_empty());
    }
    assert_eq!(
        kinds(&rules.observe(&t, &snap(8, 40.0, 10.0, false))),
        ["agent_unreachable resolved"]
    );
}

#[test]
fn clock_unsynchronized_for_a_while() {
    let t = Thresholds::default();
    let mut rules = Rules::default();
    let unsynced = |at| Observation::Snapshot {
        at,
        snapshot: Arc::new(json!({"system": {"hostname": "pi", "clock_synchronized": false}})),
    };
    assert!(rules.observe(&t, &unsynced(0)).is_empty());
    assert!(rules.observe(&t, &unsynced(899)).is_empty());
    let fired = rules.observe(&t, &unsynced(900));
    assert_eq!(kinds(&fired), ["clock_unsynchronized firing"]);
    assert_eq!(fired[0].since, 900);
}

#[test]
fn episodes_survive_a_restart() {
    let t = Thresholds::default();
    let mut rules = Rules::default();
    rules.observe(&t, &snap(1, 90.0, 10.0, false));
    let saved = serde_json::to_string(&rules).unwrap();
    let mut again: Rules = serde_json::from_str(&saved).unwrap();
    assert!(again.observe(&t, &snap(2, 90.0, 10.0, false)).is_empty());
}

#[test]
fn each_rollback_fires_once_then_resolves() {
    let mut rules = Rules::default();
    let event = |seen: i64| json!({"kind": "upgrade_rolled_back", "seen_at": seen});
    let other = json!({"kind": "under_voltage", "seen_at": 50});
    assert!(rules
        .observe_events(std::slice::from_ref(&other), 1)
        .is_none());
    let fired = rules.observe_events(&[other, event(100)], 2).unwrap();
    assert_eq!(
        (fired.kind.as_str(), fired.state.as_str()),
        ("upgrade_rolled_back", "firing")
    );
    assert!(rules.observe_events(&[event(100)], 3).is_none());
    assert!(rules.observe_events(&[event(100)], 4).is_none());
    let resolved = rules.observe_events(&[event(100)], 5).unwrap();
    assert_eq!(resolved.state, "resolved");
    assert!(rules.observe_events(&[event(100)], 6).is_none());
    assert_eq!(
        rules.observe_events(&[event(200)], 7).unwrap().state,
        "firing"
    );
}
