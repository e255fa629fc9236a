//! macOS collector (sysctl): placeholder until the shim lands.
