//! Applying `system-stats.conf` once: plan (pure: which settings to write and
//! which lines to reject, with reasons), then write the secrets the units load
//! as credentials to `/etc/credstore` and the other settings to
//! `/etc/default/system-stats`, atomically, enable the forwarder when it has a
//! destination, and rename the file to `system-stats.conf.applied` with
//! secrets removed. Every step can run again after a power loss and gives the
//! same result.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::atomic_write::{sync_dir, write_atomically};
use crate::{conffile, credstore, keys, parse, redact};

/// The settings to write and the problems found, from a file's text.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// system-stats settings, last occurrence of a key wins, in file order.
    pub settings: Vec<(String, String)>,
    /// One line per rejected line: `line N: KEY: reason`.
    pub problems: Vec<String>,
    /// Image keys present and valid (applied by the appliance image's first
    /// boot, which reads them from `--image-keys`), in file order.
    pub image_keys: Vec<String>,
    /// Their values (last occurrence wins).
    pub image_values: Vec<(String, String)>,
    /// The lines ignored, by line number, and why (in plain words).
    pub ignored: std::collections::BTreeMap<usize, String>,
    /// Secret keys whose redacted line says "keep the current secret".
    pub kept: Vec<String>,
    /// Notes for the log (a kept secret, an unchanged Wi-Fi network).
    pub notes: Vec<String>,
    /// Some system-stats key that is a secret, and not a credential, was set
    /// (it stays in the conffile, which is then root-only).
    pub has_secret: bool,
}

pub fn plan(text: &str) -> Plan {
    plan_for(text, Path::new("/"))
}

/// The plan for a system whose files are under `root` (the time zone must
/// exist there).
pub fn plan_for(text: &str, root: &Path) -> Plan {
    let parsed = parse::parse(text);
    let mut lines = std::collections::BTreeMap::new();
    for k in &parsed.kept {
        lines.insert(k.key.clone(), k.line);
    }
    let mut p = Plan {
        kept: parsed.kept.iter().map(|k| k.key.clone()).collect(),
        ..Plan::default()
    };
    for k in p.kept.iter().filter(|k| *k != "wifi_psk") {
        p.notes.push(format!(
            "{k}: kept as it is (its value was removed after applying)"
        ));
    }
    for m in parsed.malformed {
        p.problems.push(format!("line {}: {}", m.line, m.reason));
        p.ignored.insert(m.line, m.reason);
    }
    for e in parsed.entries {
        let Some(key) = keys::lookup(&e.key) else {
            p.problems
                .push(format!("line {}: {}: unknown key (ignored)", e.line, e.key));
            p.ignored.insert(
                e.line,
                format!("{} is not a setting this system knows", e.key),
            );
            continue;
        };
        if let Err(reason) = key.check(&e.value) {
            p.problems
                .push(format!("line {}: {}: {reason} (ignored)", e.line, e.key));
            p.ignored.insert(e.line, reason);
            continue;
        }
        match key.kind {
            keys::Kind::Image => {
                lines.insert(e.key.clone(), e.line);
                p.image_values.retain(|(k, _)| *k != e.key);
                p.image_values.push((e.key, e.value));
            }
            keys::Kind::SystemStats => {
                p.has_secret |= key.secret && !credstore::is_credential(&e.key);
                p.settings.retain(|(k, _)| *k != e.key);
                p.settings.push((e.key, e.value));
            }
        }
    }
    judge_image_keys(&mut p, &lines, root);
    p
}

/// The image keys judged with the system (time zone) and together (Wi-Fi):
/// a refused key is dropped with its problem.
fn judge_image_keys(p: &mut Plan, lines: &std::collections::BTreeMap<String, usize>, root: &Path) {
    let value = |p: &Plan, k: &str| {
        p.image_values
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let mut refused: Vec<(String, String)> = Vec::new();
    if let Some(tz) = value(p, "timezone") {
        if let Err(why) = crate::image_keys::timezone_exists(&tz, root) {
            refused.push(("timezone".into(), why));
        }
    }
    let (ssid, psk, open) = (
        value(p, "wifi_ssid"),
        value(p, "wifi_psk"),
        value(p, "wifi_open"),
    );
    let psk_kept = psk.is_none() && p.kept.iter().any(|k| k == "wifi_psk");
    if let (Some(ssid), true) = (&ssid, psk_kept) {
        // the passphrase was removed from the card: the network in use stays
        let wifi = ["wifi_ssid", "wifi_psk", "wifi_country", "wifi_open"];
        if crate::image_keys::wifi_in_use(ssid, root) {
            p.notes
                .push(format!("wifi: {ssid:?} unchanged, its passphrase is kept"));
        } else {
            refused.push((
                "wifi_ssid".into(),
                format!("{ssid:?} is not the network in use and its passphrase was removed after applying: write wifi_psk again to change networks"),
            ));
        }
        p.image_values.retain(|(k, _)| !wifi.contains(&k.as_str()));
    } else {
        for (key, why) in
            crate::image_keys::wifi_problems(ssid.as_deref(), psk.as_deref(), open.as_deref())
        {
            refused.push((key.into(), why));
        }
    }
    for (key, why) in refused {
        let line = lines.get(&key).copied().unwrap_or(0);
        p.problems
            .push(format!("line {line}: {key}: {why} (ignored)"));
        p.ignored.insert(line, why);
        p.image_values.retain(|(k, _)| *k != key);
    }
    p.image_keys = p.image_values.iter().map(|(k, _)| k.clone()).collect();
}

/// A setting to write: key and value.
type Setting<'a> = (&'a str, &'a str);

/// Where things are; `systemctl: None` leaves units alone (tests, image builds).
pub struct Paths {
    pub conf: PathBuf,
    pub default_file: PathBuf,
    /// systemd's credential store (`/etc/credstore`).
    pub credstore: PathBuf,
    pub systemctl: Option<PathBuf>,
    /// What was applied and ignored, for the agent's status page.
    pub result_file: PathBuf,
    /// The system's root (where the time zones and the Wi-Fi file are).
    pub root: PathBuf,
}

/// Applies the file at `paths.conf` if it exists. Problems with single values
/// are logged (journald priority prefixes) and skipped; an `Err` is an I/O
/// failure that left the file in place, so the next boot tries again.
pub fn run(paths: &Paths) -> Result<(), String> {
    let text = match fs::read(&paths.conf) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!("<6>{}: not present, nothing to apply", paths.conf.display());
            return Ok(());
        }
        Err(e) => return Err(format!("cannot read {}: {e}", paths.conf.display())),
    };
    let plan = plan_for(&text, &paths.root);
    for p in &plan.problems {
        println!("<4>{}: {p}", paths.conf.display());
    }
    for n in &plan.notes {
        println!("<6>{}: {n}", paths.conf.display());
    }
    let old = match fs::read_to_string(&paths.default_file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", paths.default_file.display())),
    };
    let (credentials, mut settings): (Vec<Setting>, Vec<Setting>) = plan
        .settings
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .partition(|(k, _)| credstore::is_credential(k));
    for (k, v) in &credentials {
        credstore::write(&paths.credstore, k, v)?;
        println!("<6>{}: set {k}", paths.credstore.join(k).display());
    }
    let web_password = plan.image_values.iter().find(|(k, _)| k == "web_password");
    if let Some((_, password)) = web_password {
        settings.extend(crate::web_password::apply(&paths.credstore, password)?);
        println!(
            "<6>web_password: user {} of the agent and the forwarder",
            crate::web_password::USER
        );
    }
    // A credential and a conffile value for one secret would be two sources,
    // which the daemons refuse: the card's credential replaces both forms.
    let replaced: Vec<String> = credentials
        .iter()
        .flat_map(|(k, _)| [k.to_string(), format!("{k}_FILE")])
        .collect();
    let new = conffile::merge(&conffile::unset(&old, &replaced), &settings);
    let mode = if plan.has_secret { 0o600 } else { 0o640 };
    write_atomically(&paths.default_file, new.as_bytes(), mode)?;
    for (k, _) in &settings {
        println!("<6>{}: set {k}", paths.default_file.display());
    }
    let image: Vec<&str> = plan
        .image_keys
        .iter()
        .map(String::as_str)
        .filter(|k| *k != "web_password")
        .collect();
    if !image.is_empty() {
        println!("<6>left to the appliance image: {}", image.join(", "));
    }
    let destination = keys::DESTINATIONS
        .iter()
        .any(|d| conffile::value_of(&new, d).is_some_and(|v| !v.is_empty()));
    if destination {
        if let Some(systemctl) = &paths.systemctl {
            enable_forwarder(systemctl);
        }
    }
    let applied = paths.conf.with_extension("conf.applied");
    let outcomes = crate::outcome::outcomes(&text, &plan.ignored);
    let result = crate::outcome::result_json(&paths.conf, &outcomes);
    if let Some(dir) = paths.result_file.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    write_atomically(&paths.result_file, result.as_bytes(), 0o644)?;
    let annotated = redact::redact(&text, &crate::outcome::annotations(&outcomes));
    write_atomically(&applied, annotated.as_bytes(), 0o644)?;
    fs::remove_file(&paths.conf)
        .map_err(|e| format!("cannot remove {}: {e}", paths.conf.display()))?;
    sync_dir(&paths.conf);
    println!(
        "<6>{} applied, kept as {}",
        paths.conf.display(),
        applied.display()
    );
    Ok(())
}

fn enable_forwarder(systemctl: &Path) {
    for args in [
        &["enable", "--no-reload", "system-stats-forwarder.service"][..],
        &["start", "--no-block", "system-stats-forwarder.service"][..],
    ] {
        match Command::new(systemctl).args(args).status() {
            Ok(s) if s.success() => println!("<6>systemctl {}: done", args.join(" ")),
            Ok(s) => println!("<3>systemctl {}: {s}", args.join(" ")),
            Err(e) => println!("<3>systemctl {}: {e}", args.join(" ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_keeps_good_values_and_names_bad_ones() {
        let p = plan("hostname=pi\nSYSTEM_STATS_PORT=99999\nSYSTEM_STATS_LOG_LEVEL=debug\nNOPE=1\nMONITORING_SERVER_METRICS_URL=http://a/1\nMONITORING_SERVER_METRICS_URL=http://b/2\nwifi_psk=secret12\nwifi_ssid=lab\n");
        assert_eq!(
            p.settings,
            vec![
                ("SYSTEM_STATS_LOG_LEVEL".to_string(), "debug".to_string()),
                (
                    "MONITORING_SERVER_METRICS_URL".to_string(),
                    "http://b/2".to_string()
                ),
            ]
        );
        assert_eq!(p.problems.len(), 2, "{:?}", p.problems);
        assert!(p.problems[0].starts_with("line 2: SYSTEM_STATS_PORT: "));
        assert!(p.problems[1].contains("line 4: NOPE: unknown key"));
        assert_eq!(p.image_keys, vec!["hostname", "wifi_psk", "wifi_ssid"]);
        assert!(
            !p.has_secret,
            "wifi_psk is the image's secret, not the conffile's"
        );
    }
}
