//! `route --state FILE`: the partners' routing state (open leads, last assignments, the
//! round-robin order) carried from run to run. The file holds core's `NetworkState` as JSON
//! (`Network::export_state` / `import_state`); it is read before the first lead, if it exists,
//! and written (to a temporary file renamed over it, so a run that stops midway never leaves
//! half a file) after the last decision.

use std::path::Path;

use leadrail_core::network::{Network, NetworkState};

/// Why the state could not be read or written: the message and its help.
#[derive(Debug)]
pub struct StateError {
    /// What is wrong, naming the file.
    pub message: String,
    /// How to fix it.
    pub help: &'static str,
}

const NOT_A_STATE: &str = "the state file is written by `leadrail route --state`; to start again \
                           from the partner file, delete it";

/// Loads the state saved at `path` into `network`; `Ok(false)` if there is no file yet (the
/// network keeps the state of the partner file).
pub fn load(path: &Path, network: &mut Network) -> Result<bool, StateError> {
    let name = path.display();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => {
            return Err(StateError {
                message: format!("{name}: cannot read the state: {e}"),
                help: NOT_A_STATE,
            })
        }
    };
    let state: NetworkState = leadrail_core::json::from_str(&text)
        .and_then(serde_json::from_value)
        .map_err(|e| StateError {
            message: format!("{name}: not a routing state file: {e}"),
            help: NOT_A_STATE,
        })?;
    network.import_state(&state).map_err(|e| StateError {
        message: format!("{name}: {e}"),
        help: "the state was saved with another partner file; add the partner back, or delete \
               the state file to start again from the partner file",
    })?;
    Ok(true)
}

/// Saves `network`'s state at `path`.
pub fn save(path: &Path, network: &Network) -> Result<(), StateError> {
    let name = path.display();
    let failed = |e: std::io::Error| StateError {
        message: format!("{name}: cannot save the state: {e}"),
        help: "check that the state file's directory exists and is writable",
    };
    let mut text = serde_json::to_string_pretty(&network.export_state())
        .map_err(|e| failed(std::io::Error::other(e)))?;
    text.push('\n');
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    std::fs::write(&tmp, text).map_err(failed)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        failed(e)
    })
}
