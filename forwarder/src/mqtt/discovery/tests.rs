use super::*;

fn pi() -> Value {
    json!({
        "system": {"hostname": "kitchen pi", "model": "Raspberry Pi 4 Model B Rev 1.4"},
        "cpu": {"percent": 12.5, "temperature_c": 48.686},
        "memory": {"percent": 11.4},
        "disk": {"percent": 16.0},
        "load_avg": {"load1": 0.42},
        "uptime": {"seconds": 18342.57},
        "network": {"interfaces": [
            {"name": "wlan0", "virtual": false, "bytes_recv": 1000, "bytes_sent": 10},
            {"name": "docker0", "virtual": true, "bytes_recv": 5000, "bytes_sent": 50}
        ]},
        "raspberry_pi": {"serial": "10000000abcdef12", "model": "Raspberry Pi 4 Model B Rev 1.4",
            "throttled": {"under_voltage_now": true, "throttled_now": false}},
        "filesystems": [{"mount": "/", "readonly": false, "errors_count": null}]
    })
}

#[test]
fn device_prefers_the_pi_serial() {
    let d = Device::from_snapshot(&pi(), Some("abc\n")).unwrap();
    assert_eq!(d.id, "10000000abcdef12");
    assert_eq!(d.hostname, "kitchen pi");
    assert_eq!(d.state_topic(), "system-stats/kitchen_pi/state");
    let mut other = pi();
    other["raspberry_pi"] = Value::Null;
    let d = Device::from_snapshot(&other, Some("abc\n")).unwrap();
    assert_eq!(d.id, "abc");
    assert_eq!(d.model.as_deref(), Some("Raspberry Pi 4 Model B Rev 1.4"));
    assert!(Device::from_snapshot(&json!({}), None).is_none());
}

#[test]
fn state_values_and_flags() {
    let s = state(&pi(), 7, Some((1.234, 0.5)));
    assert_eq!(s["cpu"], 12.5);
    assert_eq!(s["temperature"], 48.686);
    assert_eq!(s["uptime"], 18342.0);
    assert_eq!(s["network_rx"], 1.23);
    assert_eq!(s["under_voltage"], true);
    assert_eq!(s["throttled"], false);
    assert_eq!(s["storage_errors"], false);
    let mut ro = pi();
    ro["filesystems"][0]["readonly"] = json!(true);
    assert_eq!(state(&ro, 7, None)["storage_errors"], true);
    assert_eq!(network_bytes(&pi()), Some((1000.0, 10.0)));
}

#[test]
fn discovery_configs_follow_home_assistant() {
    let d = Device::from_snapshot(&pi(), None).unwrap();
    let configs = configs(&d, "homeassistant", &state(&pi(), 1, None));
    assert_eq!(configs.len(), 11);
    let find = |object: &str| -> Value {
        let (_, payload) = configs
            .iter()
            .find(|(t, _)| t.ends_with(&format!("/{object}/config")))
            .unwrap();
        serde_json::from_str(payload).unwrap()
    };
    let (topic, _) = &configs[0];
    assert_eq!(
        topic,
        "homeassistant/sensor/system_stats_10000000abcdef12/cpu/config"
    );
    let t = find("temperature");
    assert_eq!(t["device_class"], "temperature");
    assert_eq!(t["unit_of_measurement"], "°C");
    assert_eq!(t["state_class"], "measurement");
    assert_eq!(t["name"], "Temperature");
    assert_eq!(
        t["availability_topic"],
        "system-stats/kitchen_pi/availability"
    );
    assert_eq!(
        t["device"]["identifiers"][0],
        "system-stats-10000000abcdef12"
    );
    assert_eq!(t["device"]["name"], "kitchen pi");
    let uv = find("under_voltage");
    assert_eq!(uv["device_class"], "problem");
    assert_eq!(
        uv["value_template"],
        "{{ 'ON' if value_json.under_voltage else 'OFF' }}"
    );
    assert_eq!(find("network_rx")["device_class"], "data_rate");
    assert_eq!(find("uptime")["unit_of_measurement"], "s");

    let mut cold = pi();
    cold["cpu"]["temperature_c"] = Value::Null;
    let configs = super::configs(&d, "ha", &state(&cold, 1, None));
    assert_eq!(configs.len(), 10);
    assert!(configs
        .iter()
        .all(|(t, _)| !t.contains("temperature") && t.starts_with("ha/")));
}
