//! The Prometheus remote-write 1.0 wire messages, declared with
//! `#[derive(prost::Message)]` to match `prometheus/prompb/types.proto` and
//! `remote.proto` field for field (no protoc, no build script), and the
//! body encoding: protobuf, then snappy *block* compression.

/// `prometheus.WriteRequest`. Field 3 (`metadata`) is optional in 1.0 and
/// not sent; field 2 is reserved upstream.
#[derive(Clone, PartialEq, prost::Message)]
pub struct WriteRequest {
    #[prost(message, repeated, tag = "1")]
    pub timeseries: Vec<TimeSeries>,
    #[prost(message, repeated, tag = "3")]
    pub metadata: Vec<MetricMetadata>,
}

/// `prometheus.TimeSeries`: labels sorted by name (with `__name__`),
/// samples in increasing timestamp order.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TimeSeries {
    #[prost(message, repeated, tag = "1")]
    pub labels: Vec<Label>,
    #[prost(message, repeated, tag = "2")]
    pub samples: Vec<Sample>,
}

/// `prometheus.Label`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, prost::Message)]
pub struct Label {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(string, tag = "2")]
    pub value: String,
}

/// `prometheus.Sample`: a value at a Unix time in milliseconds.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Sample {
    #[prost(double, tag = "1")]
    pub value: f64,
    #[prost(int64, tag = "2")]
    pub timestamp: i64,
}

/// `prometheus.MetricMetadata` (declared for completeness of field 3).
#[derive(Clone, PartialEq, prost::Message)]
pub struct MetricMetadata {
    #[prost(int32, tag = "1")]
    pub r#type: i32,
    #[prost(string, tag = "2")]
    pub metric_family_name: String,
    #[prost(string, tag = "4")]
    pub help: String,
    #[prost(string, tag = "5")]
    pub unit: String,
}

/// The HTTP body of a remote-write request: the protobuf encoding of
/// `request`, snappy block-compressed (not the framed stream format).
pub fn encode_body(request: &WriteRequest) -> Result<Vec<u8>, snap::Error> {
    let raw = prost::Message::encode_to_vec(request);
    snap::raw::Encoder::new().compress_vec(&raw)
}

/// The inverse of [`encode_body`] (used by tests and test receivers).
pub fn decode_body(body: &[u8]) -> Result<WriteRequest, String> {
    let raw = snap::raw::Decoder::new()
        .decompress_vec(body)
        .map_err(|e| format!("snappy: {e}"))?;
    <WriteRequest as prost::Message>::decode(raw.as_slice()).map_err(|e| format!("protobuf: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    fn request() -> WriteRequest {
        WriteRequest {
            timeseries: vec![TimeSeries {
                labels: vec![
                    Label {
                        name: "__name__".into(),
                        value: "node_load1".into(),
                    },
                    Label {
                        name: "instance".into(),
                        value: "pi".into(),
                    },
                ],
                samples: vec![
                    Sample {
                        value: 0.5,
                        timestamp: 1_700_000_000_000,
                    },
                    Sample {
                        value: f64::NAN,
                        timestamp: 1_700_000_001_000,
                    },
                ],
            }],
            metadata: Vec::new(),
        }
    }

    #[test]
    fn protobuf_round_trip() {
        let r = request();
        let bytes = r.encode_to_vec();
        let back = WriteRequest::decode(bytes.as_slice()).unwrap();
        assert_eq!(back.timeseries[0].labels, r.timeseries[0].labels);
        assert_eq!(back.timeseries[0].samples[0], r.timeseries[0].samples[0]);
        assert!(back.timeseries[0].samples[1].value.is_nan());
    }

    #[test]
    fn wire_layout_matches_prompb() {
        // Hand-checked bytes of TimeSeries{labels:[{a,b}], samples:[{1.0, 2}]}:
        // field 1 (labels) len 6: field 1 "a", field 2 "b";
        // field 2 (samples) len 11: field 1 double 1.0, field 2 varint 2.
        let ts = TimeSeries {
            labels: vec![Label {
                name: "a".into(),
                value: "b".into(),
            }],
            samples: vec![Sample {
                value: 1.0,
                timestamp: 2,
            }],
        };
        let expected = [
            0x0a, 6, 0x0a, 1, b'a', 0x12, 1, b'b', 0x12, 11, 0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f,
            0x10, 2,
        ];
        assert_eq!(ts.encode_to_vec(), expected);
    }

    #[test]
    fn snappy_round_trip_is_block_format() {
        let r = request();
        let body = encode_body(&r).unwrap();
        // Block format starts with the varint of the uncompressed length,
        // not the framed format's stream identifier chunk (0xff).
        assert_ne!(body[0], 0xff);
        let raw = snap::raw::Decoder::new().decompress_vec(&body).unwrap();
        assert_eq!(raw, r.encode_to_vec());
        assert_eq!(decode_body(&body).unwrap().timeseries.len(), 1);
        assert!(decode_body(b"not snappy").is_err());
    }
}
