//! HTTP-level tests of the simulator (being written).
