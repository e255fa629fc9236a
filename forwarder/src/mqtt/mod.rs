//! The MQTT destination for Home Assistant: publishes the latest state at
//! each poll on `system-stats/<hostname>/state`, the retained discovery
//! configs (again whenever Home Assistant announces `online` on
//! `<prefix>/status`), and availability (`online` on connect, a retained
//! last will of `offline`). Reconnects by itself with a capped backoff,
//! logging one line per attempt; it shares nothing with the other
//! destinations, so a refusing broker delays none of them.

pub mod discovery;
pub mod tls;

use crate::config::mqtt::MqttConfig;
use crate::observation::Observation;
use crate::shutdown;
use discovery::Device;
use rumqttc::{
    AsyncClient, ConnectReturnCode, ConnectionError, Event, EventLoop, LastWill, MqttOptions,
    Packet, QoS, TlsConfiguration, Transport,
};
use serde_json::Value;
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use tracing::{info, warn};

const RETRY_FIRST: Duration = Duration::from_secs(1);
const RETRY_MAX: Duration = Duration::from_secs(30);

/// The MQTT task's inputs.
pub struct Mqtt {
    pub config: MqttConfig,
    pub observations: broadcast::Receiver<Observation>,
    pub shutdown: watch::Receiver<bool>,
}

/// What the task remembers between polls.
struct Session {
    client: AsyncClient,
    device: Device,
    prefix: String,
    connected: bool,
    last_state: Option<Value>,
    previous_bytes: Option<(i64, f64, f64)>,
}

impl Mqtt {
    /// Run until shutdown: wait for the first snapshot (it names the
    /// device), then connect and publish.
    pub async fn run(mut self) {
        let (at, snapshot) = loop {
            tokio::select! {
                got = self.observations.recv() => match got {
                    Ok(Observation::Snapshot { at, snapshot }) => break (at, snapshot),
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = shutdown::requested(&mut self.shutdown) => return,
            }
        };
        let machine_id = std::fs::read_to_string("/etc/machine-id").ok();
        let Some(device) = Device::from_snapshot(&snapshot, machine_id.as_deref()) else {
            warn!(
                "MQTT: the agent's snapshot has no hostname; not publishing to {}",
                self.config.shown
            );
            return;
        };
        let options = match self.options(&device) {
            Ok(options) => options,
            Err(why) => {
                warn!("MQTT: {why}; not publishing to {}", self.config.shown);
                return;
            }
        };
        let (client, eventloop) = AsyncClient::new(options, 64);
        let mut session = Session {
            client,
            device,
            prefix: self.config.discovery_prefix.clone(),
            connected: false,
            last_state: None,
            previous_bytes: None,
        };
        session.observe(at, &snapshot);
        self.serve(session, eventloop).await;
    }

    fn options(&self, device: &Device) -> Result<MqttOptions, String> {
        let c = &self.config;
        let mut options = MqttOptions::new(format!("system-stats-{}", device.id), &c.host, c.port);
        options.set_keep_alive(Duration::from_secs(30));
        options.set_last_will(LastWill::new(
            device.availability_topic(),
            "offline",
            QoS::AtLeastOnce,
            true,
        ));
        if let Some(user) = &c.username {
            let password = c.password.as_ref().map(|p| p.expose().to_string());
            options.set_credentials(user, password.unwrap_or_default());
        }
        if c.tls {
            let tls = tls::client_config(c.ca_file.as_deref())?;
            options.set_transport(Transport::tls_with_config(TlsConfiguration::Rustls(tls)));
        }
        Ok(options)
    }

    async fn serve(mut self, mut session: Session, mut eventloop: EventLoop) {
        let mut retry = RETRY_FIRST;
        loop {
            tokio::select! {
                event = eventloop.poll() => match event {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => {
                        retry = RETRY_FIRST;
                        info!("MQTT: connected to {}", self.config.shown);
                        session.on_connect();
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) => {
                        if p.topic == format!("{}/status", session.prefix) && p.payload.as_ref() == b"online" {
                            info!("MQTT: Home Assistant is online; publishing the discovery configs again");
                            session.publish_configs();
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        session.connected = false;
                        warn!(
                            "MQTT: {} unreachable: {}; retrying in {}s",
                            self.config.shown,
                            describe(&e),
                            retry.as_secs()
                        );
                        tokio::select! {
                            _ = tokio::time::sleep(retry) => {}
                            _ = shutdown::requested(&mut self.shutdown) => break,
                        }
                        retry = (retry * 2).min(RETRY_MAX);
                    }
                },
                got = self.observations.recv() => match got {
                    Ok(Observation::Snapshot { at, snapshot }) => session.observe(at, &snapshot),
                    Ok(Observation::Unreachable { .. }) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => break,
                },
                _ = shutdown::requested(&mut self.shutdown) => break,
            }
        }
        // A clean stop says offline itself (the will is for crashes).
        if session.connected {
            let _ = session.client.try_publish(
                session.device.availability_topic(),
                QoS::AtLeastOnce,
                true,
                "offline",
            );
            let _ = session.client.try_disconnect();
            let flush = async {
                while let Ok(event) = eventloop.poll().await {
                    if matches!(event, Event::Outgoing(rumqttc::Outgoing::Disconnect)) {
                        break;
                    }
                }
            };
            let _ = tokio::time::timeout(Duration::from_secs(2), flush).await;
        }
    }
}

impl Session {
    fn on_connect(&mut self) {
        self.connected = true;
        let _ = self
            .client
            .try_subscribe(format!("{}/status", self.prefix), QoS::AtLeastOnce);
        let _ = self.client.try_publish(
            self.device.availability_topic(),
            QoS::AtLeastOnce,
            true,
            "online",
        );
        self.publish_configs();
        self.publish_state();
    }

    /// The last state on the state topic, when there is one (QoS 0, not retained).
    fn publish_state(&self) {
        if let Some(state) = &self.last_state {
            let _ = self.client.try_publish(
                self.device.state_topic(),
                QoS::AtMostOnce,
                false,
                state.to_string(),
            );
        }
    }

    fn publish_configs(&self) {
        let Some(state) = &self.last_state else {
            return;
        };
        for (topic, payload) in discovery::configs(&self.device, &self.prefix, state) {
            let _ = self
                .client
                .try_publish(topic, QoS::AtLeastOnce, true, payload);
        }
    }

    fn observe(&mut self, at: i64, snapshot: &Value) {
        let bytes = discovery::network_bytes(snapshot);
        let rates = match (self.previous_bytes, bytes) {
            (Some((t0, rx0, tx0)), Some((rx, tx))) if at > t0 => {
                let secs = (at - t0) as f64;
                Some((
                    ((rx - rx0) / secs / 1000.0).max(0.0),
                    ((tx - tx0) / secs / 1000.0).max(0.0),
                ))
            }
            _ => None,
        };
        if let Some((rx, tx)) = bytes {
            self.previous_bytes = Some((at, rx, tx));
        }
        let state = discovery::state(snapshot, at, rates);
        // A temperature appearing later needs its entity.
        let new_entities = self
            .last_state
            .as_ref()
            .is_none_or(|old| old["temperature"].is_number() != state["temperature"].is_number());
        self.last_state = Some(state);
        if !self.connected {
            return;
        }
        if new_entities {
            self.publish_configs();
        }
        self.publish_state();
    }
}

/// One line for a connection error; credentials refusals say so plainly.
fn describe(e: &ConnectionError) -> String {
    match e {
        ConnectionError::ConnectionRefused(
            ConnectReturnCode::BadUserNamePassword | ConnectReturnCode::NotAuthorized,
        ) => "the broker refused the credentials (check the user and password of \
              SYSTEM_STATS_MQTT_URL / SYSTEM_STATS_MQTT_PASSWORD)"
            .into(),
        ConnectionError::ConnectionRefused(code) => {
            format!("the broker refused the connection ({code:?})")
        }
        other => crate::delivery::error_chain(other),
    }
}
