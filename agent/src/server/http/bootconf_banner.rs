//! The status page's banner when system-stats-bootconf ignored something on
//! the last application of the boot partition's `system-stats.conf`: it reads
//! the result file bootconf writes (`SYSTEM_STATS_BOOTCONF_RESULT_FILE`) and
//! names each ignored key and why, so a user without ssh sees it. The banner
//! is built from the JSON (pure) and put into the page at request time.

use std::path::Path;

/// Where the banner goes: right after the page's own (script-driven) banner.
const ANCHOR: &str = r#"<div id="banner" class="banner" role="alert"></div>"#;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The banner's HTML for a result file's text, if it ignored any key.
pub fn banner_html(result_json: &str) -> Option<String> {
    let doc: serde_json::Value = serde_json::from_str(result_json).ok()?;
    let ignored: Vec<String> = doc["keys"]
        .as_array()?
        .iter()
        .filter(|k| k["status"] == "ignored")
        .map(|k| {
            let key = k["key"]
                .as_str()
                .filter(|s| !s.is_empty())
                .unwrap_or("a line");
            let line = k["line"].as_u64().unwrap_or(0);
            let why = k["reason"].as_str().unwrap_or("");
            format!(
                "<li>line {line}: <b>{}</b>: {}</li>",
                escape(key),
                escape(why)
            )
        })
        .collect();
    if ignored.is_empty() {
        return None;
    }
    Some(format!(
        "<div id=\"bootconf-banner\" class=\"banner warn\" role=\"status\">Some settings of system-stats.conf were not applied \
         (see system-stats.conf.applied on the boot partition):<ul>{}</ul></div>",
        ignored.concat()
    ))
}

/// The status page, with the banner when the result file asks for one.
pub fn status_page(page: &str, result_file: &Path) -> String {
    let banner = std::fs::read_to_string(result_file)
        .ok()
        .and_then(|json| banner_html(&json));
    match banner {
        Some(b) => page.replacen(ANCHOR, &format!("{ANCHOR}\n{b}"), 1),
        None => page.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_each_ignored_key_escaped_and_nothing_when_all_applied() {
        let json = r#"{"ignored":1,"keys":[{"line":1,"key":"hostname","status":"applied","reason":null},
            {"line":2,"key":"SYSTEM_STATS_URL","status":"ignored","reason":"<b>bad</b> port"}]}"#;
        let b = banner_html(json).unwrap();
        assert!(
            b.contains("line 2: <b>SYSTEM_STATS_URL</b>: &lt;b&gt;bad&lt;/b&gt; port"),
            "{b}"
        );
        assert!(!b.contains("hostname"));
        assert_eq!(banner_html(r#"{"keys":[]}"#), None);
        assert_eq!(banner_html("not json"), None);
        assert!(
            include_str!("../../web/status.html").contains(ANCHOR),
            "the page has the anchor"
        );
    }
}
