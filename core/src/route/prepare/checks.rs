//! The checks of a batch's leads against the lead schema: the errors of the leads that failed,
//! apart (a batch whose leads all pass stores nothing per lead).

use crate::route::RouteError;

/// Per lead of a batch, whether it passed its check, with the errors of those that did not.
#[derive(Debug, Clone, Default)]
pub(crate) struct Checks {
    /// The number of leads checked.
    len: usize,
    /// `(lead, error)` of the leads that failed, ascending.
    failed: Vec<(usize, Box<RouteError>)>,
}

impl Checks {
    /// Adds the next lead's check (`None`: it passed).
    #[inline]
    pub(super) fn push(&mut self, check: Option<Box<RouteError>>) {
        if let Some(e) = check {
            self.failed.push((self.len, e));
        }
        self.len += 1;
    }

    /// Adds `n` leads that passed.
    pub(super) fn passed_many(&mut self, n: usize) {
        self.len += n;
    }

    /// The error of lead `i`'s check, if it failed.
    #[inline]
    pub(crate) fn error(&self, i: usize) -> Option<&RouteError> {
        if self.failed.is_empty() {
            return None;
        }
        let k = self.failed.binary_search_by_key(&i, |f| f.0).ok()?;
        self.failed.get(k).map(|f| &*f.1)
    }

    /// Whether every lead checked passed.
    #[inline]
    pub(crate) fn all_passed(&self) -> bool {
        self.failed.is_empty()
    }

    /// Whether lead `i` was checked and passed.
    #[inline]
    pub(crate) fn passed(&self, i: usize) -> bool {
        i < self.len && self.error(i).is_none()
    }
}
