//! Every row's result of a host's batch (or of one chunk of it), in compact form: the good
//! rows' results as the engine returned them, the bad rows' errors apart, zipped back into row
//! order only when read.

#![expect(
    clippy::result_large_err,
    reason = "batch items carry the language-neutral ErrorReport"
)]

use serde::{Deserialize, Serialize};

use super::arrays::ResultArrays;
use super::errors;
use super::instants::{GoodTimes, Instants};
use crate::report::ErrorReport;
use crate::route::{Decision, DecisionView, RoutedBatch, Views};

/// One row's result in the JSON wire form: `{"ok": <Decision>}` or `{"error": <ErrorReport>}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteResult {
    /// The lead's decision.
    Ok(Decision),
    /// Why the lead could not be routed.
    Error(ErrorReport),
}

impl From<Result<Decision, ErrorReport>> for RouteResult {
    fn from(r: Result<Decision, ErrorReport>) -> RouteResult {
        match r {
            Ok(d) => RouteResult::Ok(d),
            Err(e) => RouteResult::Error(e),
        }
    }
}

/// The good rows' results.
#[derive(Debug, Clone)]
pub(crate) enum Good {
    /// Compact, from [`Engine::route_prepared_compact`](crate::route::Engine::route_prepared_compact).
    Compact(Box<RoutedBatch>),
    /// Full decisions (routing without applying them).
    Full(Vec<Result<Decision, ErrorReport>>),
}

/// Rows `start()..start() + len()` of a batch, with the bad ones' errors: what rows prepared
/// for routing ([`Prepared`](super::Prepared)) and their [`Results`] have in common (both
/// dereference to it).
#[derive(Debug, Clone)]
pub struct Span {
    start: usize,
    rows: usize,
    bad: Vec<(usize, ErrorReport)>,
}

impl Span {
    pub(crate) fn new(start: usize, rows: usize, bad: Vec<(usize, ErrorReport)>) -> Span {
        Span { start, rows, bad }
    }

    /// The batch row of the first row (0 for a batch in one piece, the chunk's start for a
    /// chunk).
    pub fn start(&self) -> usize {
        self.start
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The rows (0-based in the span, ascending) that had bad data, with their errors.
    pub fn bad(&self) -> &[(usize, ErrorReport)] {
        &self.bad
    }

    /// The instants of the good rows, of the whole batch's `instants`.
    pub(crate) fn good_times<'i>(&self, instants: &'i Instants) -> GoodTimes<'i> {
        let bad: Vec<usize> = self.bad.iter().map(|(i, _)| *i).collect();
        instants.of_good(self.start, self.rows, &bad)
    }
}

/// The results of rows `start()..start() + len()` of a batch (its [`Span`]), in compact form
/// (8 bytes per routed lead plus the bad rows' errors). Read them borrowed with
/// [`Results::views`] (what a binding converts to its own objects), or expanded with
/// [`Results::decisions`] and [`Results::to_wire`].
#[derive(Debug, Clone)]
pub struct Results {
    span: Span,
    good: Good,
    /// The results as arrays, made where they were routed ([`Rows::with_arrays`]).
    ///
    /// [`Rows::with_arrays`]: super::Rows::with_arrays
    pub(crate) arrays: Option<Box<ResultArrays>>,
}

impl std::ops::Deref for Results {
    type Target = Span;

    fn deref(&self) -> &Span {
        &self.span
    }
}

impl Results {
    /// The batch row of the first result ([`Span::start`], here for the host's
    /// [`HostBatch::emit`](super::HostBatch::emit)).
    pub fn start(&self) -> usize {
        self.span.start()
    }

    pub(crate) fn new(span: Span, good: Good) -> Results {
        Results {
            span,
            good,
            arrays: None,
        }
    }

    /// Each row's result, borrowed, in row order: the decision as a [`DecisionView`] or the
    /// error.
    pub fn views(&self) -> ResultViews<'_> {
        ResultViews {
            row: 0,
            rows: self.span.rows,
            bad: self.span.bad.iter().peekable(),
            good: match &self.good {
                Good::Compact(r) => GoodViews::Compact(r.views()),
                Good::Full(v) => GoodViews::Full(v.iter()),
            },
        }
    }

    /// Each row's decision or error, in row order (each [`PartnerStateRead`] is the chosen
    /// partner's state just before that lead's assignment).
    ///
    /// [`PartnerStateRead`]: crate::route::PartnerStateRead
    pub fn decisions(&self) -> Vec<Result<Decision, ErrorReport>> {
        self.views()
            .map(|r| r.map(|d| d.to_decision()).map_err(Clone::clone))
            .collect()
    }

    /// Each row's result in the JSON wire form, in row order.
    pub fn to_wire(&self) -> Vec<RouteResult> {
        self.views()
            .map(|r| match r {
                Ok(d) => RouteResult::Ok(d.to_decision()),
                Err(e) => RouteResult::Error(e.clone()),
            })
            .collect()
    }
}

/// The good rows' results, borrowed.
#[derive(Debug, Clone)]
enum GoodViews<'a> {
    Compact(Views<'a>),
    Full(std::slice::Iter<'a, Result<Decision, ErrorReport>>),
}

/// The iterator of [`Results::views`]: one `Ok(decision)` or `Err(report)` per row.
#[derive(Debug, Clone)]
pub struct ResultViews<'a> {
    row: usize,
    rows: usize,
    bad: std::iter::Peekable<std::slice::Iter<'a, (usize, ErrorReport)>>,
    good: GoodViews<'a>,
}

/// Reported for a row whose result went missing (an internal inconsistency).
static MISSING: std::sync::LazyLock<ErrorReport> =
    std::sync::LazyLock::new(|| errors::internal("a lead was not routed"));

impl<'a> Iterator for ResultViews<'a> {
    type Item = Result<DecisionView<'a>, &'a ErrorReport>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.row >= self.rows {
            return None;
        }
        let row = self.row;
        self.row += 1;
        if let Some((_, e)) = self.bad.next_if(|(b, _)| *b == row) {
            return Some(Err(e));
        }
        let r = match &mut self.good {
            GoodViews::Compact(v) => v.next(),
            GoodViews::Full(v) => v.next().map(|r| r.as_ref().map(Decision::view)),
        };
        Some(r.unwrap_or(Err(&*MISSING)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.rows - self.row;
        (n, Some(n))
    }
}

impl ExactSizeIterator for ResultViews<'_> {}
