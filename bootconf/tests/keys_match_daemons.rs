//! `system-stats.conf` knows exactly the settings the two daemons read: a
//! setting added to the agent or the forwarder without a check here (or a key
//! left here after a setting was removed) fails this test, so the first-boot
//! file never silently drops or invents a variable.

use std::collections::BTreeSet;

use system_stats_bootconf::keys::{self, Kind};

#[test]
fn every_daemon_setting_is_a_key_and_every_key_a_setting() {
    let daemons: BTreeSet<&str> = system_stats_agent::config::SETTINGS
        .iter()
        .chain(system_stats_forwarder::config::settings::SPECS)
        .map(|s| s.env)
        .collect();
    let keys: BTreeSet<&str> = keys::all()
        .filter(|k| k.kind == Kind::SystemStats)
        .map(|k| k.name)
        .collect();
    let missing: Vec<_> = daemons.difference(&keys).collect();
    let unknown: Vec<_> = keys.difference(&daemons).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "bootconf/src/keys.rs is out of step with the daemons: settings without a key {missing:?}, keys no daemon reads {unknown:?}"
    );
    assert!(daemons.len() >= 20, "only {} settings found", daemons.len());
}

/// The secrets written to `/etc/credstore` are exactly the units' `LoadCredential=` names.
#[test]
fn credentials_are_the_units_load_credential_names() {
    let units = [
        include_str!("../../debian/system-stats.service"),
        include_str!("../../debian/system-stats-forwarder.service"),
    ];
    let loaded: BTreeSet<&str> = units
        .iter()
        .flat_map(|u| u.lines())
        .filter_map(|l| l.strip_prefix("LoadCredential="))
        .map(str::trim)
        .collect();
    let ours: BTreeSet<&str> = system_stats_bootconf::credstore::CREDENTIALS
        .iter()
        .copied()
        .collect();
    assert_eq!(ours, loaded);
}
