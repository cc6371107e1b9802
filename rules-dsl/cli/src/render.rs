//! Rendering diagnostics for people: miette's graphical report with the labelled snippet, or a
//! plain `file:line:col: message` form when the snippet cannot be drawn.

use leadrail_dsl::Diagnostic;
use miette::{GraphicalReportHandler, GraphicalTheme};

/// The longest source line (in bytes) drawn in a snippet. miette pads with format widths, which
/// Rust limits to 65,535 columns (a tab is up to 4 columns): longer lines (a minified rule file)
/// made it panic. A snippet of such a line is unreadable anyway, so these get the plain form.
const MAX_SNIPPET_LINE: usize = 16_000;

/// Render one diagnostic as text (colours only when stderr is a terminal and `NO_COLOR` unset).
pub fn diagnostic(d: &Diagnostic) -> String {
    let (line, col) = d.line_col();
    let fancy = if snippet_fits(d) { fancy(d) } else { None };
    match fancy {
        Some(out) => format!("{}:{line}:{col}\n{out}", d.file()),
        None => plain(d),
    }
}

/// Whether every line a snippet of `d` would show (each label's lines and the line before and
/// after them) is short enough to draw.
fn snippet_fits(d: &Diagnostic) -> bool {
    let Some(src) = miette::Diagnostic::source_code(d) else {
        return true;
    };
    let Some(labels) = miette::Diagnostic::labels(d) else {
        return true;
    };
    for label in labels {
        match src.read_span(label.inner(), 1, 1) {
            Ok(contents) => {
                if contents
                    .data()
                    .split(|b| *b == b'\n')
                    .any(|l| l.len() > MAX_SNIPPET_LINE)
                {
                    return false;
                }
            }
            Err(_) => return false,
        }
    }
    true
}

/// miette's graphical report, or `None` if it cannot be drawn (an error, or a panic of the
/// renderer on a limit this module does not know: caught, so the CLI never dies on it).
fn fancy(d: &Diagnostic) -> Option<String> {
    let theme = if std::env::var_os("NO_COLOR").is_none()
        && std::io::IsTerminal::is_terminal(&std::io::stderr())
    {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    // the default hook would print the panic; the CLI is single-threaded while it renders
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut out = String::new();
        handler.render_report(&mut out, d).map(|()| out)
    }));
    std::panic::set_hook(hook);
    rendered.ok()?.ok()
}

/// The plain form: `file:line:col: severity[code]: message`, the labels' notes with their
/// positions, then the help.
pub fn plain(d: &Diagnostic) -> String {
    use std::fmt::Write as _;
    let report = d.to_report();
    let severity = if d.is_error() { "error" } else { "warning" };
    let mut out = format!(
        "{}:{}:{}: {severity}[{}]: {}\n",
        d.file(),
        report.line,
        report.column,
        d.code(),
        d.message()
    );
    for label in report.labels.iter().filter(|l| !l.message.is_empty()) {
        let _ = writeln!(
            out,
            "  {}:{}:{}: {}",
            d.file(),
            label.line,
            label.column,
            label.message
        );
    }
    if let Some(help) = d.hint() {
        let _ = writeln!(out, "  help: {help}");
    }
    out
}
