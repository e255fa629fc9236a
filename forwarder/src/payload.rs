//! Pure conversion of one agent snapshot (as JSON) into the monitoring
//! server's payload: the flat key percentages, disk throughput since the
//! previous poll, and the whole snapshot passed through under `details`.

use serde_json::{json, Map, Value};
use std::time::Instant;

const MIB: f64 = 1024.0 * 1024.0;

/// Cumulative disk counters read from one snapshot, and when it was polled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiskCounters {
    pub read_bytes: f64,
    pub write_bytes: f64,
    pub at: Instant,
}

impl DiskCounters {
    /// `disk_io.read_bytes` / `disk_io.write_bytes`, when both are numbers.
    pub fn from_snapshot(snapshot: &Value, at: Instant) -> Option<DiskCounters> {
        let io = snapshot.get("disk_io")?;
        Some(DiskCounters {
            read_bytes: io.get("read_bytes")?.as_f64()?,
            write_bytes: io.get("write_bytes")?.as_f64()?,
            at,
        })
    }
}

/// Disk throughput in bytes per second between two polls.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Throughput {
    pub read_bytes_per_sec: f64,
    pub write_bytes_per_sec: f64,
}

impl Throughput {
    /// Rates over the real elapsed time; 0.0 on the first poll, after a
    /// counter reset (never negative) or when no time has passed.
    pub fn between(previous: Option<&DiskCounters>, current: Option<&DiskCounters>) -> Throughput {
        let (Some(prev), Some(cur)) = (previous, current) else {
            return Throughput::default();
        };
        let elapsed = cur.at.saturating_duration_since(prev.at).as_secs_f64();
        if elapsed <= 0.0 {
            return Throughput::default();
        }
        let rate = |now: f64, before: f64| ((now - before) / elapsed).max(0.0);
        Throughput {
            read_bytes_per_sec: rate(cur.read_bytes, prev.read_bytes),
            write_bytes_per_sec: rate(cur.write_bytes, prev.write_bytes),
        }
    }

    pub fn read_mb_per_sec(&self) -> f64 {
        self.read_bytes_per_sec / MIB
    }

    pub fn write_mb_per_sec(&self) -> f64 {
        self.write_bytes_per_sec / MIB
    }
}

/// A required field the snapshot lacks (or has as null / wrong type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingField(pub &'static str);

impl std::fmt::Display for MissingField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "snapshot has no usable {}", self.0)
    }
}

fn number(snapshot: &Value, section: &str, key: &str) -> Option<f64> {
    snapshot.get(section)?.get(key)?.as_f64()
}

fn required(snapshot: &Value, path: &'static str) -> Result<f64, MissingField> {
    let (section, key) = path.split_once('.').unwrap_or((path, ""));
    number(snapshot, section, key).ok_or(MissingField(path))
}

/// Build the payload. `snapshot` must be a JSON object; it is moved into
/// `details` untouched apart from the added `throughput` object.
/// Required fields missing → `Err` naming the field (the server would reject
/// the post, so the caller skips the sample).
pub fn build(
    snapshot: Value,
    timestamp: i64,
    throughput: Throughput,
) -> Result<Value, MissingField> {
    let hostname = snapshot
        .get("system")
        .and_then(|s| s.get("hostname"))
        .and_then(Value::as_str)
        .filter(|h| !h.is_empty())
        .ok_or(MissingField("system.hostname"))?
        .to_string();
    let cpu = required(&snapshot, "cpu.percent")?;
    let ram = required(&snapshot, "memory.percent")?;
    let disk = required(&snapshot, "disk.percent")?;
    let swap = number(&snapshot, "swap", "percent");
    let load = |key: &str| number(&snapshot, "load_avg", key);
    let (load1, load5, load15) = (load("load1"), load("load5"), load("load15"));

    let mut details = match snapshot {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    details.insert(
        "throughput".into(),
        json!({
            "disk_read_bytes_per_sec": throughput.read_bytes_per_sec,
            "disk_write_bytes_per_sec": throughput.write_bytes_per_sec,
            "disk_read_mb_per_sec": throughput.read_mb_per_sec(),
            "disk_write_mb_per_sec": throughput.write_mb_per_sec(),
        }),
    );
    Ok(json!({
        "hostname": hostname,
        "cpu": cpu,
        "ram": ram,
        "disk": disk,
        "timestamp": timestamp,
        "disk_read": throughput.read_mb_per_sec(),
        "disk_write": throughput.write_mb_per_sec(),
        "swap_percent": swap,
        "load1": load1,
        "load5": load5,
        "load15": load15,
        "details": Value::Object(details),
    }))
}

/// The seed's log line for one sample, from a payload (built or spooled).
pub fn summary(payload: &Value) -> String {
    let f = |key: &str| payload.get(key).and_then(Value::as_f64).unwrap_or(0.0);
    format!(
        "Forwarded metrics cpu={:.1}% ram={:.1}% disk={:.1}% read={:.2}MB/s write={:.2}MB/s",
        f("cpu"),
        f("ram"),
        f("disk"),
        f("disk_read"),
        f("disk_write")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn snapshot() -> Value {
        json!({
            "system": {"hostname": "pi"},
            "cpu": {"percent": 12.2},
            "memory": {"percent": 67.7},
            "disk": {"percent": 14.1},
            "swap": {"percent": 1.5},
            "disk_io": {"read_bytes": 1000, "write_bytes": 5000},
            "load_avg": {"load1": 0.5, "load5": 0.25, "load15": 0.125},
            "future_key": {"x": [1, 2]}
        })
    }

    #[test]
    fn payload_fields_and_types() {
        let p = build(snapshot(), 1_700_000_000, Throughput::default()).unwrap();
        assert_eq!(p["hostname"], "pi");
        assert_eq!(p["cpu"].as_f64(), Some(12.2));
        assert_eq!(p["ram"].as_f64(), Some(67.7));
        assert_eq!(p["disk"].as_f64(), Some(14.1));
        assert!(p["timestamp"].is_i64());
        assert!(p["disk_read"].is_f64() && p["disk_write"].is_f64());
        assert_eq!(p["disk_read"].as_f64(), Some(0.0));
        assert_eq!(p["swap_percent"].as_f64(), Some(1.5));
        assert_eq!(p["load15"].as_f64(), Some(0.125));
        assert_eq!(p["details"]["future_key"]["x"][1], 2);
        assert_eq!(p["details"]["cpu"]["percent"].as_f64(), Some(12.2));
        assert!(p["details"]["throughput"]["disk_write_mb_per_sec"].is_f64());
    }

    #[test]
    fn integer_percentages_become_floats() {
        let mut s = snapshot();
        s["cpu"]["percent"] = json!(3);
        let p = build(s, 1, Throughput::default()).unwrap();
        assert_eq!(p["cpu"].as_f64(), Some(3.0));
        assert!(p["cpu"].is_f64());
    }

    #[test]
    fn load_absent_is_null() {
        let mut s = snapshot();
        s.as_object_mut().unwrap().remove("load_avg");
        s.as_object_mut().unwrap().remove("swap");
        let p = build(s, 1, Throughput::default()).unwrap();
        assert!(p["load1"].is_null() && p["load5"].is_null() && p["load15"].is_null());
        assert!(p["swap_percent"].is_null());
    }

    #[test]
    fn missing_required_field_is_named() {
        let mut s = snapshot();
        s["disk"]["percent"] = Value::Null;
        assert_eq!(
            build(s, 1, Throughput::default()),
            Err(MissingField("disk.percent"))
        );
        let mut s = snapshot();
        s.as_object_mut().unwrap().remove("system");
        assert_eq!(
            build(s, 1, Throughput::default()),
            Err(MissingField("system.hostname"))
        );
    }

    #[test]
    fn rates_over_elapsed_time_never_negative() {
        let t0 = Instant::now();
        let s = snapshot();
        let a = DiskCounters::from_snapshot(&s, t0).unwrap();
        let b = DiskCounters {
            read_bytes: a.read_bytes + 2.0 * MIB,
            write_bytes: 0.0, // counter reset
            at: t0 + Duration::from_secs(2),
        };
        let t = Throughput::between(Some(&a), Some(&b));
        assert!((t.read_mb_per_sec() - 1.0).abs() < 1e-9);
        assert_eq!(t.write_bytes_per_sec, 0.0);
        assert_eq!(Throughput::between(None, Some(&b)), Throughput::default());
        assert_eq!(
            Throughput::between(Some(&b), Some(&b)),
            Throughput::default()
        );
    }

    #[test]
    fn summary_matches_the_seed() {
        let t = Throughput {
            read_bytes_per_sec: 0.0,
            write_bytes_per_sec: 0.12 * MIB,
        };
        let p = build(snapshot(), 1, t).unwrap();
        assert_eq!(
            summary(&p),
            "Forwarded metrics cpu=12.2% ram=67.7% disk=14.1% read=0.00MB/s write=0.12MB/s"
        );
    }
}
