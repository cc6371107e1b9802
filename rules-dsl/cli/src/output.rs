//! The CLI's standard output: buffered, and every write error handled. A closed pipe (the
//! reader went away, as with `leadrail route ... | head`) ends the command quietly with exit
//! code 0; any other write error (a full disk) is reported on stderr and gives exit code 2.

use std::io::{self, BufWriter, Write};
use std::path::Path;

/// The output: standard output or a file, buffered (64 KiB); it can be written from another
/// thread than the one that opened it (`route` writes on its own thread).
pub type Output = BufWriter<Box<dyn Write + Send>>;

/// Buffered standard output.
pub fn stdout() -> Output {
    BufWriter::with_capacity(1 << 16, Box::new(io::stdout()))
}

/// The output named on the command line: `-` is standard output, anything else a file, created
/// or truncated. `Err` is the exit code (the reason printed).
pub fn open(path: &Path) -> Result<Output, u8> {
    if crate::input::is_stdin(path) {
        return Ok(stdout());
    }
    match std::fs::File::create(path) {
        Ok(file) => Ok(BufWriter::with_capacity(1 << 16, Box::new(file))),
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", path.display());
            Err(2)
        }
    }
}

/// Flushes `out` after `written` (the result of writing to it): `Ok` if all went well, else
/// the exit code to stop with ([`failed`]).
pub fn finish<W: Write>(written: io::Result<()>, out: &mut W) -> Result<(), u8> {
    written.and_then(|()| out.flush()).map_err(|e| failed(&e))
}

/// The exit code for a write error on the output: 0 for a closed pipe (quietly), 2 with a
/// message for anything else.
pub fn failed(e: &io::Error) -> u8 {
    if e.kind() == io::ErrorKind::BrokenPipe {
        0
    } else {
        eprintln!("error: cannot write the output: {e}");
        2
    }
}

/// Writes a pretty-printed JSON value nested one level inside an array: every line break (JSON
/// strings escape theirs) is followed by two more spaces.
pub fn write_nested(out: &mut impl Write, pretty: &[u8]) -> io::Result<()> {
    for (i, line) in pretty.split(|b| *b == b'\n').enumerate() {
        if i > 0 {
            out.write_all(b"\n  ")?;
        }
        out.write_all(line)?;
    }
    Ok(())
}
