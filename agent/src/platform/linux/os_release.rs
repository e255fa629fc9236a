//! `/etc/os-release` (else `/usr/lib/os-release`) of the host root
//! filesystem: which distribution and release (e.g. Raspberry Pi OS bookworm).

use super::files::Roots;
use crate::snapshot::OsRelease;

/// One value: quotes removed, shell backslash escapes undone.
fn unquote(value: &str) -> String {
    let v = value.trim();
    let inner = if v.len() >= 2
        && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')))
    {
        &v[1..v.len() - 1]
    } else {
        v
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

pub fn parse(text: &str) -> OsRelease {
    let mut r = OsRelease::default();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = Some(unquote(value)).filter(|v| !v.is_empty());
        let slot = match key.trim() {
            "PRETTY_NAME" => &mut r.pretty_name,
            "NAME" => &mut r.name,
            "ID" => &mut r.id,
            "ID_LIKE" => &mut r.id_like,
            "VERSION" => &mut r.version,
            "VERSION_ID" => &mut r.version_id,
            "VERSION_CODENAME" => &mut r.version_codename,
            "BUILD_ID" => &mut r.build_id,
            "VARIANT" => &mut r.variant,
            "VARIANT_ID" => &mut r.variant_id,
            "IMAGE_ID" => &mut r.image_id,
            "IMAGE_VERSION" => &mut r.image_version,
            _ => continue,
        };
        *slot = value;
    }
    r
}

pub fn read(roots: &Roots) -> Option<OsRelease> {
    roots
        .root_file("/etc/os-release")
        .or_else(|| roots.root_file("/usr/lib/os-release"))
        .map(|t| parse(&t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pi4_fixture_os_release() {
        let r = parse(include_str!("../../../tests/fixtures/pi4/etc/os-release"));
        assert_eq!(
            r.pretty_name.as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
        assert_eq!(r.name.as_deref(), Some("Debian GNU/Linux"));
        assert_eq!(r.id.as_deref(), Some("debian"));
        assert_eq!(r.version_id.as_deref(), Some("12"));
        assert_eq!(r.version.as_deref(), Some("12 (bookworm)"));
        assert_eq!(r.version_codename.as_deref(), Some("bookworm"));
        assert_eq!(r.id_like, None);
    }

    #[test]
    fn quoting_and_comments() {
        let r = parse("# c\nNAME='Raspbian'\nPRETTY_NAME=\"A \\\"quoted\\\" name\"\nID_LIKE=debian\nBROKEN\nVERSION_ID=\n");
        assert_eq!(r.name.as_deref(), Some("Raspbian"));
        assert_eq!(r.pretty_name.as_deref(), Some("A \"quoted\" name"));
        assert_eq!(r.id_like.as_deref(), Some("debian"));
        assert_eq!(r.version_id, None);
    }
}
