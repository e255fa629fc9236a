//! An alert receiver as a spool destination: ntfy's publish format (the
//! message as body, `Title`/`Priority`/`Tags` headers) or a JSON webhook
//! `{"host","kind","state","since","value","message"}`. Each spooled
//! record is one [`Alert`]; delivered ones are noted for the status file.

use super::rules::Alert;
use super::status::StatusBoard;
use crate::config::alerts::{Receiver, ReceiverKind};
use crate::destination::{display_url, identity, Destination};
use crate::spool::Record;
use reqwest::{Client, RequestBuilder};
use serde_json::json;
use system_stats_common::Secret;

pub struct AlertReceiver {
    receiver: Receiver,
    token: Option<Secret>,
    name: String,
    key: String,
    board: StatusBoard,
}

impl AlertReceiver {
    pub fn new(receiver: Receiver, token: Option<Secret>, board: StatusBoard) -> AlertReceiver {
        let prefix = match receiver.kind {
            ReceiverKind::Ntfy => "ntfy+",
            ReceiverKind::Webhook => "",
        };
        AlertReceiver {
            name: format!("{prefix}{}", display_url(&receiver.url)),
            key: format!("alert-{}", identity::json_server_key(&receiver.url)),
            receiver,
            token,
            board,
        }
    }
}

fn alert_of(record: &Record) -> Option<Alert> {
    serde_json::from_str(record.sample.get()).ok()
}

/// The webhook body.
pub fn webhook_body(alert: &Alert) -> serde_json::Value {
    json!({
        "host": alert.host,
        "kind": alert.kind,
        "state": alert.state,
        "since": alert.since,
        "value": alert.value,
        "message": alert.message,
    })
}

/// ntfy's headers: (Title, Priority, Tags).
pub fn ntfy_headers(alert: &Alert) -> (String, &'static str, String) {
    let firing = alert.state == "firing";
    let title = format!(
        "{} {}: {}",
        if firing { "Alert" } else { "Resolved" },
        alert.host,
        alert.kind.replace('_', " ")
    );
    let tags = format!(
        "{},{}",
        if firing {
            "warning"
        } else {
            "white_check_mark"
        },
        alert.kind
    );
    (title, if firing { "high" } else { "default" }, tags)
}

impl Destination for AlertReceiver {
    fn name(&self) -> &str {
        &self.name
    }

    fn key(&self) -> &str {
        &self.key
    }

    fn max_batch(&self) -> usize {
        1
    }

    fn request(&self, client: &Client, batch: &[Record]) -> RequestBuilder {
        let alert = batch.first().and_then(alert_of);
        let request = client.post(self.receiver.url.clone());
        let request = match (&self.receiver.kind, alert) {
            (ReceiverKind::Ntfy, Some(alert)) => {
                let (title, priority, tags) = ntfy_headers(&alert);
                request
                    .header("Title", title)
                    .header("Priority", priority)
                    .header("Tags", tags)
                    .body(alert.message)
            }
            (ReceiverKind::Webhook, Some(alert)) => request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(webhook_body(&alert).to_string()),
            // Not an alert (cannot happen: only alerts are spooled here).
            (_, None) => request.body(String::new()),
        };
        match (&self.receiver.basic, &self.token) {
            (Some((user, password)), _) => {
                request.basic_auth(user, password.as_ref().map(|p| p.expose().to_string()))
            }
            (None, Some(token)) => request.bearer_auth(token.expose()),
            (None, None) => request,
        }
    }

    fn describe(&self, batch: &[Record]) -> String {
        match batch.first().and_then(alert_of) {
            Some(alert) => {
                let line = format!("alert {} {} sent to {}", alert.kind, alert.state, self.name);
                self.board.sent(&self.name, &alert);
                line
            }
            None => format!("{} records sent", batch.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(state: &str) -> Alert {
        Alert {
            host: "pi".into(),
            kind: "under_voltage".into(),
            state: state.into(),
            since: 100,
            at: 105,
            value: json!(true),
            message: "pi: under-voltage".into(),
        }
    }

    #[test]
    fn payload_shapes() {
        let body = webhook_body(&alert("firing"));
        let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 6);
        assert_eq!(body["state"], "firing");
        assert_eq!(body["since"], 100);
        let (title, priority, tags) = ntfy_headers(&alert("resolved"));
        assert_eq!(title, "Resolved pi: under voltage");
        assert_eq!(priority, "default");
        assert_eq!(tags, "white_check_mark,under_voltage");
        assert_eq!(ntfy_headers(&alert("firing")).1, "high");
    }
}
