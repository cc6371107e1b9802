//! Rendering diagnostics for people: miette's graphical report with the labelled snippet.

use leadrail_dsl::Diagnostic;
use miette::{GraphicalReportHandler, GraphicalTheme};

/// Render one diagnostic as text (colours only when stderr is a terminal and `NO_COLOR` unset).
pub fn diagnostic(d: &Diagnostic) -> String {
    let theme = if std::env::var_os("NO_COLOR").is_none()
        && std::io::IsTerminal::is_terminal(&std::io::stderr())
    {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    if handler.render_report(&mut out, d).is_err() {
        // The graphical handler only fails on a broken formatter; fall back to the plain form.
        let (line, col) = d.line_col();
        out = format!("{}:{line}:{col}: {d}\n", d.file());
    }
    let (line, col) = d.line_col();
    format!("{}:{line}:{col}\n{out}", d.file())
}
