//! The `memory` and `swap` sections, with psutil's meanings.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Memory {
    pub total: u64,
    pub available: u64,
    pub percent: f64,
    pub used: u64,
    pub free: u64,
    pub active: Option<u64>,
    pub inactive: Option<u64>,
    pub buffers: Option<u64>,
    pub cached: Option<u64>,
    pub shared: Option<u64>,
    pub slab: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Swap {
    pub total: u64,
    pub used: u64,
    pub free: u64,
    pub percent: f64,
    pub sin: Option<u64>,
    pub sout: Option<u64>,
}
