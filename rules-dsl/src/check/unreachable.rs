//! The unreachable-rule warning: a rule that an earlier rule always pre-empts.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use leadrail_core::report::codes;

use super::Checker;
use crate::ast::{BinOp, Clause, ElseDecl, Expr, ExprKind, RouteDecl, RuleFile};

impl Checker<'_> {
    /// Warns about each rule that an earlier rule always pre-empts: the earlier rule decides
    /// (`else queue`) and has no `when`, or its `when` conjuncts are all among the later rule's.
    ///
    /// Each deciding rule is indexed under its rarest conjunct (by structural hash), so a later
    /// rule compares itself only with the earlier rules indexed under one of its own conjuncts
    /// (a file of n distinct rules costs n, not n squared).
    pub(super) fn unreachable(&mut self, file: &RuleFile) {
        let routes: Vec<&RouteDecl> = file.routes().collect();
        let whens: Vec<Option<Vec<&Expr>>> = routes
            .iter()
            .map(|r| r.when.as_ref().map(|w| conjuncts(&w.node)))
            .collect();
        let hashes: Vec<Vec<u64>> = whens
            .iter()
            .map(|w| {
                let mut hs: Vec<u64> = w.iter().flatten().map(|c| expr_hash(c)).collect();
                hs.sort_unstable();
                hs.dedup();
                hs
            })
            .collect();
        let mut freq: HashMap<u64, usize> = HashMap::new();
        for h in hashes.iter().flatten() {
            *freq.entry(*h).or_insert(0) += 1;
        }
        // the first deciding rule without `when`, and the deciding rules by rarest conjunct
        let mut always: Option<usize> = None;
        let mut by_conjunct: HashMap<u64, Vec<usize>> = HashMap::new();
        for (j, later) in routes.iter().enumerate() {
            let mut earliest = always;
            if let (Some(mine), Some(hs)) = (whens.get(j).and_then(Option::as_ref), hashes.get(j)) {
                for h in hs {
                    // each list is in rule order: its first covering rule is its earliest
                    let covering = by_conjunct.get(h).into_iter().flatten().find(|&&k| {
                        whens
                            .get(k)
                            .and_then(Option::as_ref)
                            .is_some_and(|theirs| theirs.iter().all(|c| mine.contains(c)))
                    });
                    if let Some(&k) = covering {
                        earliest = Some(earliest.map_or(k, |e| e.min(k)));
                    }
                }
            }
            if let Some(earlier) = earliest.and_then(|k| routes.get(k)) {
                let why = if earlier.when.is_none() {
                    "has no `when`"
                } else {
                    "matches every lead this rule's `when` matches"
                };
                let d = self
                    .src
                    .warning(codes::CHECK_UNREACHABLE_RULE, format!("the rule `{}` can never fire", later.name.value))
                    .label(later.name.span, "unreachable rule")
                    .label(earlier.name.span, format!("this earlier rule {why} and always decides (`else queue`)"))
                    .help("move this rule before the earlier one, or give the earlier rule `else next`");
                self.warnings.push(d);
            }
            let decides = matches!(
                later.otherwise,
                Some(Clause {
                    node: ElseDecl::Queue(_),
                    ..
                })
            );
            if !decides {
                continue;
            }
            match hashes.get(j) {
                _ if later.when.is_none() => {
                    always.get_or_insert(j);
                }
                Some(hs) => {
                    let rarest = hs
                        .iter()
                        .min_by_key(|h| (freq.get(h).copied().unwrap_or(0), **h));
                    if let Some(h) = rarest {
                        by_conjunct.entry(*h).or_default().push(j);
                    }
                }
                None => {}
            }
        }
    }
}

/// A hash of an expression's structure, equal for expressions that are `==` (spans ignored),
/// computed without recursion.
fn expr_hash(e: &Expr) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        std::mem::discriminant(&x.kind).hash(&mut h);
        match &x.kind {
            ExprKind::Number(n) => {
                n.value.normalize().serialize().hash(&mut h);
                n.fraction.hash(&mut h);
                n.unit.hash(&mut h);
            }
            ExprKind::Str(s) | ExprKind::Symbol(s) => s.hash(&mut h),
            ExprKind::Bool(b) => b.hash(&mut h),
            ExprKind::Date(d) => d.hash(&mut h),
            ExprKind::Path(b, f) => {
                b.name.hash(&mut h);
                f.name.hash(&mut h);
            }
            ExprKind::List(v) => {
                v.len().hash(&mut h);
                stack.extend(v.iter());
            }
            ExprKind::Call(name, v) => {
                name.name.hash(&mut h);
                v.len().hash(&mut h);
                stack.extend(v.iter());
            }
            ExprKind::Unary(op, a) => {
                op.hash(&mut h);
                stack.push(a);
            }
            ExprKind::Binary(op, a, b) => {
                op.hash(&mut h);
                stack.push(b);
                stack.push(a);
            }
        }
    }
    h.finish()
}

/// The conjuncts of an expression (`a and b and c` gives `a`, `b`, `c`), without recursion.
fn conjuncts(e: &Expr) -> Vec<&Expr> {
    let mut out = Vec::new();
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        match &x.kind {
            ExprKind::Binary(BinOp::And, a, b) => {
                stack.push(b);
                stack.push(a);
            }
            _ => out.push(x),
        }
    }
    out
}
