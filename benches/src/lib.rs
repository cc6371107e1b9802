//! x
pub mod w4;
