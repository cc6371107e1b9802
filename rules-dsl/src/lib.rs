//! leadrail rule language.
pub mod ast;
pub mod diagnostics;
pub mod parse;
