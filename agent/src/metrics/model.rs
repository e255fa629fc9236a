//! The metric data model shared by every exporter (text exposition today,
//! remote_write later): families with a name, help, type and samples.

/// Prometheus metric type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    Counter,
    Gauge,
    /// node_exporter's type for raw kernel fields of unknown kind (vmstat, netstat).
    Untyped,
}

impl MetricKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MetricKind::Counter => "counter",
            MetricKind::Gauge => "gauge",
            MetricKind::Untyped => "untyped",
        }
    }
}

/// Label pairs in output order.
pub type Labels = Vec<(&'static str, String)>;

#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub labels: Labels,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MetricFamily {
    pub name: String,
    pub help: String,
    pub kind: MetricKind,
    pub samples: Vec<Sample>,
}

impl MetricFamily {
    pub fn new(name: impl Into<String>, kind: MetricKind, help: impl Into<String>) -> MetricFamily {
        MetricFamily {
            name: name.into(),
            help: help.into(),
            kind,
            samples: Vec::new(),
        }
    }

    pub fn gauge(name: impl Into<String>, help: impl Into<String>) -> MetricFamily {
        MetricFamily::new(name, MetricKind::Gauge, help)
    }

    pub fn untyped(name: impl Into<String>, help: impl Into<String>) -> MetricFamily {
        MetricFamily::new(name, MetricKind::Untyped, help)
    }

    pub fn counter(name: impl Into<String>, help: impl Into<String>) -> MetricFamily {
        MetricFamily::new(name, MetricKind::Counter, help)
    }

    /// Add a sample (builder style).
    pub fn with(mut self, labels: Labels, value: f64) -> MetricFamily {
        self.samples.push(Sample { labels, value });
        self
    }

    pub fn push(&mut self, labels: Labels, value: f64) {
        self.samples.push(Sample { labels, value });
    }

    /// The value of the sample whose labels include all of `want`.
    pub fn value(&self, want: &[(&str, &str)]) -> Option<f64> {
        self.samples
            .iter()
            .find(|s| {
                want.iter()
                    .all(|(k, v)| s.labels.iter().any(|(lk, lv)| lk == k && lv == v))
            })
            .map(|s| s.value)
    }
}

/// A family from a list by name.
pub fn find<'a>(families: &'a [MetricFamily], name: &str) -> Option<&'a MetricFamily> {
    families.iter().find(|f| f.name == name)
}
