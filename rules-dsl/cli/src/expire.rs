//! `leadrail expire`: the approved registrations of a registry file whose protection ended at
//! or before an instant (`protected_until <= now`), marked expired by core
//! (`dealreg::Registry::expire_due`) and printed as a JSON array of their ids, earliest end
//! first. The registry is read as `leadrail register --registry` reads it; a record that cannot
//! be read stops the command with exit code 2 and a message naming its file, line, record and
//! field. With `--update-registry OUT`, the registry after expiry (every record, the expired
//! ones `expired`) is written to OUT in the registry file's format ([`crate::registry_file`]),
//! so that a scheduled job can expire and persist; OUT may be the registry file itself.

use std::io::Write;
use std::path::PathBuf;

use leadrail_core::dealreg::Registry;

use crate::input::Format;
use crate::output;

/// The options of `leadrail expire`.
#[derive(Debug)]
pub struct ExpireArgs {
    /// Registrations, accounts and open leads.
    pub registry: PathBuf,
    /// The instant (RFC 3339 or ms; default: now).
    pub now: Option<String>,
    /// The format of an input whose file name does not say.
    pub input_format: Option<Format>,
    /// Where to print the ids.
    pub output: PathBuf,
    /// Where to write the registry after expiry.
    pub update_registry: Option<PathBuf>,
}

/// Runs `leadrail expire`; returns the exit code.
pub fn run(args: &ExpireArgs) -> u8 {
    match run_inner(args) {
        Ok(()) => 0,
        Err(code) => code,
    }
}

fn run_inner(args: &ExpireArgs) -> Result<(), u8> {
    let now = crate::register::now_of(args.now.as_deref())?;
    let records = crate::register::read(&args.registry, "registry", args.input_format)?;
    let mut registry = Registry::from_records(records);
    let expired = registry.expire_due(now);
    if let Some(out) = &args.update_registry {
        let format = args.input_format.or_else(|| Format::of(&args.registry));
        crate::registry_file::write(&registry, out, format)?;
    }
    let mut out = output::open(&args.output)?;
    let written = serde_json::to_writer_pretty(&mut out, &expired)
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"));
    output::finish(written, &mut out)
}
