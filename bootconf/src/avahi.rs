//! The mDNS advertisement of the status page, written from the settings in
//! use so it tells the truth: the port of `SYSTEM_STATS_PORT` and
//! `_https._tcp` when the agent serves TLS (`SYSTEM_STATS_TLS_CERT_FILE`),
//! else `_http._tcp`. Only where avahi reads services (its directory
//! exists); port 0 (a free port picked at start) cannot be advertised.

use std::fs;
use std::path::Path;

use crate::atomic_write::write_atomically;
use crate::conffile;
use system_stats_common::settings::{agent, validators};

/// Where avahi reads service files, under the root.
pub const SERVICE_FILE: &str = "etc/avahi/services/system-stats.service";

/// The service file for `port`, HTTPS or HTTP.
pub fn service_xml(port: u16, tls: bool) -> String {
    let (kind, scheme) = if tls {
        ("_https._tcp", "https")
    } else {
        ("_http._tcp", "http")
    };
    format!(
        "<?xml version=\"1.0\" standalone='no'?>\n\
         <!DOCTYPE service-group SYSTEM \"avahi-service.dtd\">\n\
         <!-- Advertises the system-stats status page: {scheme}://<hostname>.local:{port}/\n     \
         Written by system-stats-bootconf --write-avahi from /etc/default/system-stats. -->\n\
         <service-group>\n  \
         <name replace-wildcards=\"yes\">system-stats on %h</name>\n  \
         <service>\n    \
         <type>{kind}</type>\n    \
         <port>{port}</port>\n    \
         <txt-record>path=/</txt-record>\n  \
         </service>\n\
         </service-group>\n"
    )
}

/// The port and TLS of the conffile's text (defaults where unset; a bad
/// port is the default, as the agent would not start with it anyway).
pub fn advertised(conffile_text: &str) -> (u16, bool) {
    let default = agent::PORT
        .default
        .and_then(|d| validators::port(d).ok())
        .unwrap_or(5001);
    let port = conffile::value_of(conffile_text, agent::PORT.env)
        .and_then(|v| validators::port(v).ok())
        .unwrap_or(default);
    let tls =
        conffile::value_of(conffile_text, agent::TLS_CERT_FILE.env).is_some_and(|v| !v.is_empty());
    (port, tls)
}

/// Writes (or, for port 0, removes) the service file under `root`. Returns
/// what was done, for the log.
pub fn write(root: &Path, default_file: &Path) -> Result<String, String> {
    let file = root.join(SERVICE_FILE);
    let Some(dir) = file.parent().filter(|d| d.is_dir()) else {
        return Ok(format!(
            "{}: no avahi here, nothing to advertise",
            file.display()
        ));
    };
    let text = match fs::read_to_string(default_file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", default_file.display())),
    };
    let (port, tls) = advertised(&text);
    if port == 0 {
        let _ = fs::remove_file(&file);
        return Ok(format!(
            "{}: removed (port 0 is picked at start, it cannot be advertised)",
            dir.display()
        ));
    }
    let xml = service_xml(port, tls);
    if fs::read_to_string(&file).is_ok_and(|old| old == xml) {
        return Ok(format!("{}: unchanged", file.display()));
    }
    write_atomically(&file, xml.as_bytes(), 0o644)?;
    Ok(format!(
        "{}: port {port}, {}",
        file.display(),
        if tls { "https" } else { "http" }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_and_tls_come_from_the_conffile() {
        assert_eq!(advertised("#SYSTEM_STATS_PORT=5001\n"), (5001, false));
        assert_eq!(
            advertised("SYSTEM_STATS_PORT=8443\nSYSTEM_STATS_TLS_CERT_FILE=/etc/c.pem\n"),
            (8443, true)
        );
        assert!(service_xml(8443, true).contains("<type>_https._tcp</type>\n    <port>8443</port>"));
    }

    #[test]
    fn writes_under_the_root_only_where_avahi_is() {
        let root = tempfile::tempdir().unwrap();
        let conf = root.path().join("default");
        fs::write(&conf, "SYSTEM_STATS_PORT=8080\n").unwrap();
        assert!(write(root.path(), &conf).unwrap().contains("no avahi"));
        fs::create_dir_all(root.path().join("etc/avahi/services")).unwrap();
        write(root.path(), &conf).unwrap();
        let xml = fs::read_to_string(root.path().join(SERVICE_FILE)).unwrap();
        assert!(xml.contains("<type>_http._tcp</type>") && xml.contains("<port>8080</port>"));
        fs::write(&conf, "SYSTEM_STATS_PORT=0\n").unwrap();
        write(root.path(), &conf).unwrap();
        assert!(!root.path().join(SERVICE_FILE).exists());
    }
}
