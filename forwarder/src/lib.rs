//! system-stats-forwarder: polls the agent's `/system` snapshot on a fixed
//! cadence, spools every sample durably, and delivers it to each configured
//! destination in order, late if need be. With remote write configured it
//! also scrapes the agent's `/metrics` at each poll and pushes those samples
//! to Prometheus-compatible engines. [`run`] wires the parts together.

pub mod alerts;
pub mod clock;
pub mod clock_gate;
pub mod config;
pub mod delivery;
pub mod destination;
pub mod mqtt;
pub mod observation;
pub mod payload;
pub mod poller;
pub mod remote_write;
pub mod retry;
pub mod shutdown;
pub mod source;
pub mod source_client;
pub mod spool;
pub mod watchdog;

use config::settings::SPOOL_DIR;
use config::Config;
use destination::{Destination, JsonServer};
use remote_write::RemoteWrite;
use spool::store::{Reopen, Store};
use spool::{Spool, SpoolHandle};
use std::sync::Arc;
use std::time::Duration;
use system_stats_common::{notify, Fatal};
use tokio::sync::Notify;
use tracing::{info, warn};

/// The forwarder, from a validated configuration until it stops: opens
/// the spool (a second forwarder on it is [`Fatal::Busy`], exit 3) and runs.
pub async fn serve(config: Config) -> Result<(), Fatal> {
    let destinations = destinations(&config);
    let reopen = reopen(&config, &destinations);
    let disk = match open_spool(&config, &destinations) {
        Ok(spool) => Ok(spool),
        Err(e @ spool::OpenError::InUse { .. }) => {
            return Err(Fatal::Busy(format!(
                "{e}: stop it, or give this one its own {}",
                SPOOL_DIR.env
            )))
        }
        // A read-only, failing or missing disk: forward from memory.
        Err(spool::OpenError::Unusable { source, .. }) => Err(source.to_string()),
    };
    run(config, Store::new(disk, reopen), destinations)
        .await
        .map_err(Fatal::Failed)
}

/// How the spool thread opens the spool again after a failure at start.
fn reopen(config: &Config, destinations: &[Arc<dyn Destination>]) -> Reopen {
    Reopen {
        dir: config.spool_dir.clone(),
        max_bytes: config.spool_max_bytes,
        keys: destinations.iter().map(|d| d.key().to_string()).collect(),
        renames: renames(destinations),
    }
}

fn renames(destinations: &[Arc<dyn Destination>]) -> Vec<(String, String)> {
    destinations
        .iter()
        .flat_map(|d| {
            d.legacy_keys()
                .into_iter()
                .map(|old| (old, d.key().to_string()))
        })
        .collect()
}

/// The destinations the configuration names.
pub fn destinations(config: &Config) -> Vec<Arc<dyn Destination>> {
    let mut out: Vec<Arc<dyn Destination>> = config
        .destinations
        .iter()
        .map(|url| {
            Arc::new(JsonServer::new(url.clone(), config.token.clone())) as Arc<dyn Destination>
        })
        .collect();
    if let Some(rw) = &config.remote_write {
        let labels = Arc::new(rw.labels.clone());
        for endpoint in &rw.endpoints {
            out.push(Arc::new(RemoteWrite::new(
                endpoint.clone(),
                Arc::clone(&labels),
            )));
        }
    }
    out
}

/// Open the spool with a cursor for each destination.
pub fn open_spool(
    config: &Config,
    destinations: &[Arc<dyn Destination>],
) -> Result<Spool, spool::OpenError> {
    let keys: Vec<String> = destinations.iter().map(|d| d.key().to_string()).collect();
    let renames = renames(destinations);
    Spool::open_renaming(&config.spool_dir, config.spool_max_bytes, &keys, &renames)
}

fn http_client(config: &Config, timeout: Duration) -> Result<reqwest::Client, String> {
    let remote = config.remote_write.as_ref();
    let any_https = std::iter::once(&config.source_url)
        .chain(&config.destinations)
        .chain(remote.map(|rw| &rw.metrics_source))
        .chain(
            remote
                .into_iter()
                .flat_map(|rw| rw.endpoints.iter().map(|e| &e.url)),
        )
        .chain(
            config
                .alerts
                .iter()
                .flat_map(|a| a.receivers.iter().map(|r| &r.url)),
        )
        .any(|u| u.scheme() == "https");
    source_client::client_builder(any_https, timeout)
        .build()
        .map_err(|e| {
            format!(
                "cannot set up the HTTP client: {}",
                delivery::error_chain(&e)
            )
        })
}

/// The agent's client: its credentials and CA (see `source_client`).
fn agent_client(config: &Config, timeout: Duration) -> Result<reqwest::Client, String> {
    let rw = config.remote_write.as_ref().map(|rw| &rw.metrics_source);
    let https = std::iter::once(&config.source_url)
        .chain(rw)
        .any(|u| u.scheme() == "https");
    source_client::build(&config.source_access, https, timeout)
}

/// Run until SIGTERM/SIGINT: one poller, one delivery task per destination,
/// the spool on its own thread, the watchdog pinged from its own task.
/// The runtime may be current-thread: no task touches the disk.
pub async fn run(
    config: Config,
    spool: Store,
    destinations: Vec<Arc<dyn Destination>>,
) -> Result<(), String> {
    let stop = shutdown::install().map_err(|e| format!("cannot install signal handlers: {e}"))?;
    let (timeout, lowered) = watchdog::bound_timeout(config.timeout, notify::watchdog_period());
    if let Some(why) = lowered {
        warn!("{why}");
    }
    let client = http_client(&config, timeout)?;
    let observations =
        (config.mqtt.is_some() || config.alerts.is_some()).then(observation::channel);
    let agent_client = agent_client(&config, timeout)?;
    let liveness = watchdog::Liveness::default();
    let spool = SpoolHandle::spawn(spool, &liveness)
        .map_err(|e| format!("cannot start the spool thread: {e}"))?;
    let mut wakes = Vec::new();
    let mut tasks = Vec::new();
    let deliveries = DeliveryContext {
        spool: &spool,
        client: &client,
        timeout,
        interval: config.interval,
        stop: &stop,
        liveness: &liveness,
    };
    for destination in &destinations {
        let pending = spool.pending(destination.key()).await;
        info!(
            destination = destination.name(),
            backlog = pending,
            "delivering to {}",
            destination.name()
        );
        let beat = format!("delivery to {}", destination.name());
        let (wake, task) = deliveries.spawn(Arc::clone(destination), &beat);
        wakes.push(wake);
        tasks.push(task);
    }
    let mut side_tasks = Vec::new();
    let mut alert_spool = None;
    if let (Some(alerts), Some(observations)) = (&config.alerts, &observations) {
        let (spool, deliveries) =
            alert_deliveries(&config, alerts, &client, timeout, &stop, &liveness)?;
        tasks.extend(deliveries.1);
        side_tasks.push(tokio::spawn(
            alerts::Alerting {
                thresholds: alerts.thresholds.clone(),
                spool: spool.clone(),
                wakes: deliveries.0,
                observations: observations.subscribe(),
                shutdown: stop.clone(),
                episodes_file: config.spool_dir.join("alerts").join("episodes.json"),
                events: events_url(&config.source_url).map(|u| (u, agent_client.clone(), timeout)),
            }
            .run(),
        ));
        alert_spool = Some(spool);
    }
    if let (Some(mqtt), Some(observations)) = (&config.mqtt, &observations) {
        info!("publishing to MQTT broker {}", mqtt.shown);
        side_tasks.push(tokio::spawn(
            mqtt::Mqtt {
                config: mqtt.clone(),
                observations: observations.subscribe(),
                shutdown: stop.clone(),
            }
            .run(),
        ));
    }
    notify::ready(&format!(
        "polling {} every {:.1}s for {} destination(s); spool {}",
        config.source_url,
        config.interval.as_secs_f64(),
        destinations.len(),
        config.spool_dir.display()
    ));
    let poller = poller::Poller::new(
        config.source_url.clone(),
        config.interval,
        timeout,
        agent_client,
        spool.clone(),
        config.spool_max_bytes,
        wakes,
        stop.clone(),
        liveness.beat("poller"),
    )
    .with_exposition(
        config
            .remote_write
            .as_ref()
            .map(|rw| rw.metrics_source.clone()),
        !config.destinations.is_empty(),
    )
    .with_clock_wait(config.clock_wait)
    .with_observers(observations, !destinations.is_empty());
    if let Some(every) = notify::watchdog_interval() {
        tokio::spawn(watchdog::run(liveness, every, stop));
    }
    poller.run().await;

    notify::stopping();
    let grace = timeout + Duration::from_millis(500);
    let finished = tokio::time::timeout(grace, async {
        for task in tasks.iter_mut().chain(side_tasks.iter_mut()) {
            let _ = task.await;
        }
    })
    .await;
    if finished.is_err() {
        warn!(
            "abandoning the post still in flight after {:.1}s; it will be sent again next start",
            grace.as_secs_f64()
        );
    }
    // While a backlog drains, cursors are fsynced at most once a second.
    if let Err(e) = spool.close().await {
        warn!("cannot sync the delivery cursors: {e}; some samples may be sent again");
    }
    if let Some(spool) = alert_spool {
        if let Err(e) = spool.close().await {
            warn!("cannot sync the alert cursors: {e}; some alerts may be sent again");
        }
    }
    info!("stopped");
    Ok(())
}

/// Delivery tasks and their wake-ups for one alert receiver each.
type Deliveries = (Vec<Arc<Notify>>, Vec<tokio::task::JoinHandle<()>>);

/// The alert spool (`<spool dir>/alerts`) and a delivery task per receiver.
fn alert_deliveries(
    config: &Config,
    alerts: &config::alerts::AlertsConfig,
    client: &reqwest::Client,
    timeout: Duration,
    stop: &tokio::sync::watch::Receiver<bool>,
    liveness: &watchdog::Liveness,
) -> Result<(SpoolHandle, Deliveries), String> {
    let status_file = alerts.status_file.clone().unwrap_or_else(|| {
        std::env::var_os("RUNTIME_DIRECTORY")
            .filter(|d| !d.is_empty())
            .map(|d| std::path::PathBuf::from(d).join("alerts.json"))
            .unwrap_or_else(|| config.spool_dir.join("alerts.json"))
    });
    let names = alerts
        .receivers
        .iter()
        .map(|r| destination::display_url(&r.url))
        .collect();
    let board = alerts::status::StatusBoard::new(status_file, names);
    board.write();
    let receivers: Vec<Arc<dyn Destination>> = alerts
        .receivers
        .iter()
        .map(|r| {
            Arc::new(alerts::receiver::AlertReceiver::new(
                r.clone(),
                alerts.token.clone(),
                board.clone(),
            )) as Arc<dyn Destination>
        })
        .collect();
    let dir = config.spool_dir.join("alerts");
    let keys: Vec<String> = receivers.iter().map(|d| d.key().to_string()).collect();
    // Alerts are small and few: a small cap.
    let max_bytes = 4 << 20;
    let disk = Spool::open_renaming(&dir, max_bytes, &keys, &[]).map_err(|e| e.to_string());
    let reopen = Reopen {
        dir,
        max_bytes,
        keys,
        renames: Vec::new(),
    };
    let spool = SpoolHandle::spawn(Store::new(disk, reopen), liveness)
        .map_err(|e| format!("cannot start the alert spool thread: {e}"))?;
    let deliveries = DeliveryContext {
        spool: &spool,
        client,
        timeout,
        interval: config.interval,
        stop,
        liveness,
    };
    let (wakes, tasks) = receivers
        .into_iter()
        .map(|receiver| {
            info!("alerts go to {}", receiver.name());
            let beat = format!("alerts to {}", receiver.name());
            deliveries.spawn(receiver, &beat)
        })
        .unzip();
    Ok((spool, (wakes, tasks)))
}

/// What the delivery tasks of one spool share.
struct DeliveryContext<'a> {
    spool: &'a SpoolHandle,
    client: &'a reqwest::Client,
    timeout: Duration,
    interval: Duration,
    stop: &'a tokio::sync::watch::Receiver<bool>,
    liveness: &'a watchdog::Liveness,
}

impl DeliveryContext<'_> {
    /// Starts the delivery task of `destination` (watchdog beat `beat`);
    /// returns its wake-up (notified on each new sample) and its handle.
    fn spawn(
        &self,
        destination: Arc<dyn Destination>,
        beat: &str,
    ) -> (Arc<Notify>, tokio::task::JoinHandle<()>) {
        let wake = Arc::new(Notify::new());
        let delivery = delivery::Delivery {
            destination,
            spool: self.spool.clone(),
            client: self.client.clone(),
            timeout: self.timeout,
            interval: self.interval,
            new_sample: Arc::clone(&wake),
            shutdown: self.stop.clone(),
            beat: self.liveness.beat(beat),
        };
        (wake, tokio::spawn(delivery.run()))
    }
}

/// The agent's `/events` beside its `/system` snapshot URL.
fn events_url(source: &reqwest::Url) -> Option<reqwest::Url> {
    let path = source.path().strip_suffix("/system")?;
    let mut url = source.clone();
    url.set_path(&format!("{path}/events"));
    url.set_query(None);
    Some(url)
}
