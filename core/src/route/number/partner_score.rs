//! A partner-only rank specialised for one batch ([`PartnerScore`]): the fused loop rescores
//! a partner each time it is assigned, from its active lead count and a row of values fixed
//! for the batch, through steps (or closures) whose operators and operand kinds are chosen
//! when the batch starts.

use crate::network::Scalar;
use crate::plan::ArithOp;

use super::float_arith;
use super::program::{NumLeaf, NumProgram};

/// A closure computing a partner-only rank (see [`PartnerScore`]): called with the partner's
/// active lead count (`NaN` if unknown) and its row of static values.
type PartnerScoreFn = Box<dyn Fn(f64, &[f64]) -> f64 + Send + Sync>;

/// An operand of a [`PartnerScoreFn`].
#[derive(Debug, Clone, Copy)]
enum ScoreLeaf {
    Const(f64),
    ActiveLeads,
    /// An entry of the partner's row.
    Row(usize),
}

#[inline(always)]
fn row_at(r: &[f64], k: usize) -> f64 {
    r.get(k).copied().unwrap_or(f64::NAN)
}

impl ScoreLeaf {
    #[inline(always)]
    fn get(self, active: f64, row: &[f64]) -> f64 {
        match self {
            ScoreLeaf::Const(x) => x,
            ScoreLeaf::ActiveLeads => active,
            ScoreLeaf::Row(k) => row_at(row, k),
        }
    }

    fn into_fn(self) -> PartnerScoreFn {
        match self {
            ScoreLeaf::Const(x) => Box::new(move |_, _| x),
            ScoreLeaf::ActiveLeads => Box::new(|a, _| a),
            ScoreLeaf::Row(k) => Box::new(move |_, r| row_at(r, k)),
        }
    }
}

/// Leaf `l` as an operand: constants and constant slots (`consts`) become literals, columns
/// and static subexpressions entries of the partner's row (`l` pushed to `row`).
fn score_leaf(l: &NumLeaf, consts: &[Scalar], row: &mut Vec<NumLeaf>) -> ScoreLeaf {
    match *l {
        NumLeaf::Const(x) => ScoreLeaf::Const(x),
        NumLeaf::ActiveLeads => ScoreLeaf::ActiveLeads,
        NumLeaf::Slot(k) => ScoreLeaf::Const(consts.get(k).copied().unwrap_or(Scalar::Null).f64()),
        NumLeaf::Column(_) | NumLeaf::Static(_) => {
            row.push(*l);
            ScoreLeaf::Row(row.len() - 1)
        }
    }
}

/// Declares [`Step`] with a variant per operator, side and operand kind (so a step is one
/// dispatch), [`Step::new`] and [`Step::apply`].
macro_rules! steps {
    ($($op:ident: $rc:ident $ra:ident $rr:ident $lc:ident $la:ident $lr:ident;)*) => {
        /// One step of a chain (see [`NumProgram::chain`]): the value so far combined with an
        /// operand on its right (`acc op x`, variants `*R*`) or its left (`x op acc`, `*L*`),
        /// the operand a constant (`*C`), the active lead count (`*A`) or a row entry (`*R`); or
        /// negated.
        #[derive(Debug, Clone, Copy)]
        enum Step {
            /// The value so far, unchanged (pads a short chain).
            Id,
            Neg,
            $($rc(f64), $ra, $rr(usize), $lc(f64), $la, $lr(usize),)*
        }

        impl Step {
            /// `acc op x` (or `x op acc` when `left`).
            fn new(op: ArithOp, left: bool, x: ScoreLeaf) -> Step {
                match (op, left, x) {
                    $(
                        (ArithOp::$op, false, ScoreLeaf::Const(c)) => Step::$rc(c),
                        (ArithOp::$op, false, ScoreLeaf::ActiveLeads) => Step::$ra,
                        (ArithOp::$op, false, ScoreLeaf::Row(k)) => Step::$rr(k),
                        (ArithOp::$op, true, ScoreLeaf::Const(c)) => Step::$lc(c),
                        (ArithOp::$op, true, ScoreLeaf::ActiveLeads) => Step::$la,
                        (ArithOp::$op, true, ScoreLeaf::Row(k)) => Step::$lr(k),
                    )*
                }
            }

            /// The step applied to `acc` (as [`float_arith`]).
            #[inline(always)]
            fn apply(self, acc: f64, a: f64, r: &[f64]) -> f64 {
                match self {
                    Step::Id => acc,
                    Step::Neg => -acc,
                    $(
                        Step::$rc(c) => float_arith(ArithOp::$op, acc, c),
                        Step::$ra => float_arith(ArithOp::$op, acc, a),
                        Step::$rr(k) => float_arith(ArithOp::$op, acc, row_at(r, k)),
                        Step::$lc(c) => float_arith(ArithOp::$op, c, acc),
                        Step::$la => float_arith(ArithOp::$op, a, acc),
                        Step::$lr(k) => float_arith(ArithOp::$op, row_at(r, k), acc),
                    )*
                }
            }
        }
    };
}

steps! {
    Add: AddRC AddRA AddRR AddLC AddLA AddLR;
    Sub: SubRC SubRA SubRR SubLC SubLA SubLR;
    Mul: MulRC MulRA MulRR MulLC MulLA MulLR;
    Div: DivRC DivRA DivRR DivLC DivLA DivLR;
}

/// A [`PartnerScoreFn`] evaluating a chain: `first`, then each step in order, so each node
/// computes exactly the operation of [`NumProgram::eval`] in the same order.
fn chain_fn(first: ScoreLeaf, steps: Box<[Step]>) -> PartnerScoreFn {
    Box::new(move |a, r| {
        let mut acc = first.get(a, r);
        for s in steps.iter() {
            acc = s.apply(acc, a, r);
        }
        acc
    })
}

/// The steps of a chain inlined at the call site.
const SHORT: usize = 4;

/// A partner-only rank specialised for one batch (see [`NumProgram::partner_score`]):
/// [`PartnerScore::eval`] takes the partner's active lead count (`NaN` if unknown) and its row
/// of static values.
pub(crate) struct PartnerScore(ScoreKind);

enum ScoreKind {
    /// A chain of at most [`SHORT`] steps (padded with [`Step::Id`]), evaluated where it is
    /// called: no call, and each step's dispatch a branch of its own (one target per site,
    /// which the branch predictor learns; in a loop one site cycles through the chain's
    /// targets).
    Short(ScoreLeaf, [Step; SHORT]),
    /// Any other rank.
    Closure(PartnerScoreFn),
}

impl PartnerScore {
    /// The score for active lead count `a` and row `r`.
    #[inline(always)]
    pub(crate) fn eval(&self, a: f64, r: &[f64]) -> f64 {
        match &self.0 {
            ScoreKind::Short(first, [s0, s1, s2, s3]) => {
                let acc = s1.apply(s0.apply(first.get(a, r), a, r), a, r);
                s3.apply(s2.apply(acc, a, r), a, r)
            }
            ScoreKind::Closure(f) => f(a, r),
        }
    }
}

/// A compiled node or a leaf.
enum ScoreNode {
    Leaf(ScoreLeaf),
    Fn(PartnerScoreFn),
}

impl ScoreNode {
    fn into_fn(self) -> PartnerScoreFn {
        match self {
            ScoreNode::Leaf(l) => l.into_fn(),
            ScoreNode::Fn(f) => f,
        }
    }
}

/// A [`PartnerScoreFn`] computing `x op y` (as [`float_arith`]), with the operator chosen when
/// compiling.
macro_rules! by_op {
    ($op:expr, |$a:ident, $r:ident| $x:expr, $y:expr) => {
        match $op {
            ArithOp::Add => Box::new(move |$a: f64, $r: &[f64]| float_arith(ArithOp::Add, $x, $y))
                as PartnerScoreFn,
            ArithOp::Sub => Box::new(move |$a: f64, $r: &[f64]| float_arith(ArithOp::Sub, $x, $y)),
            ArithOp::Mul => Box::new(move |$a: f64, $r: &[f64]| float_arith(ArithOp::Mul, $x, $y)),
            ArithOp::Div => Box::new(move |$a: f64, $r: &[f64]| float_arith(ArithOp::Div, $x, $y)),
        }
    };
}

fn binary(op: ArithOp, a: ScoreNode, b: ScoreNode) -> PartnerScoreFn {
    use ScoreLeaf::{ActiveLeads, Const, Row};
    match (a, b) {
        (ScoreNode::Leaf(x), ScoreNode::Leaf(y)) => match (x, y) {
            (Const(c), Row(k)) => by_op!(op, |_a, r| c, row_at(r, k)),
            (Row(k), Const(c)) => by_op!(op, |_a, r| row_at(r, k), c),
            (ActiveLeads, Row(k)) => by_op!(op, |a, r| a, row_at(r, k)),
            (Row(k), ActiveLeads) => by_op!(op, |a, r| row_at(r, k), a),
            (Row(j), Row(k)) => by_op!(op, |_a, r| row_at(r, j), row_at(r, k)),
            (x, y) => by_op!(op, |a, r| x.get(a, r), y.get(a, r)),
        },
        (ScoreNode::Leaf(x), ScoreNode::Fn(g)) => match x {
            Const(c) => by_op!(op, |a, r| c, g(a, r)),
            Row(k) => by_op!(op, |a, r| row_at(r, k), g(a, r)),
            ActiveLeads => by_op!(op, |a, r| a, g(a, r)),
        },
        (ScoreNode::Fn(g), ScoreNode::Leaf(y)) => match y {
            Const(c) => by_op!(op, |a, r| g(a, r), c),
            Row(k) => by_op!(op, |a, r| g(a, r), row_at(r, k)),
            ActiveLeads => by_op!(op, |a, r| g(a, r), a),
        },
        (ScoreNode::Fn(f), ScoreNode::Fn(g)) => by_op!(op, |a, r| f(a, r), g(a, r)),
    }
}

impl NumProgram {
    /// This program as a [`PartnerScore`] for a partner-only rank: constants and constant
    /// slots (`consts`) become literals, the active-leads state the call's argument, and columns
    /// and static subexpressions entries of the partner's row, whose leaves are pushed to `row`
    /// (read them per partner with [`NumLeaf::get`]). `None` if the program has a node other
    /// than leaves, arithmetic and negation. Each node computes exactly the operation of
    /// [`NumProgram::eval`], so results are bit-identical.
    pub(crate) fn partner_score(
        &self,
        consts: &[Scalar],
        row: &mut Vec<NumLeaf>,
    ) -> Option<PartnerScore> {
        let mut steps = Vec::new();
        if let Some(first) = self.chain(consts, row, &mut steps) {
            if (1..=SHORT).contains(&steps.len()) {
                let mut short = [Step::Id; SHORT];
                for (s, t) in short.iter_mut().zip(steps) {
                    *s = t;
                }
                return Some(PartnerScore(ScoreKind::Short(first, short)));
            }
            if !steps.is_empty() {
                let f = chain_fn(first, steps.into_boxed_slice());
                return Some(PartnerScore(ScoreKind::Closure(f)));
            }
        }
        row.clear();
        let f = self.score_node(consts, row)?.into_fn();
        Some(PartnerScore(ScoreKind::Closure(f)))
    }

    /// This program as a [`Step`] chain when every node has at most one non-leaf operand: the
    /// first operand, with `steps` appended in evaluation order. `None` otherwise (`row` and
    /// `steps` are then partly filled).
    fn chain(
        &self,
        consts: &[Scalar],
        row: &mut Vec<NumLeaf>,
        steps: &mut Vec<Step>,
    ) -> Option<ScoreLeaf> {
        Some(match self {
            NumProgram::Leaf(l) => score_leaf(l, consts, row),
            NumProgram::LeafLeaf(o, a, b) => {
                let a = score_leaf(a, consts, row);
                steps.push(Step::new(*o, false, score_leaf(b, consts, row)));
                a
            }
            NumProgram::TreeLeaf(o, a, b) => {
                let first = a.chain(consts, row, steps)?;
                steps.push(Step::new(*o, false, score_leaf(b, consts, row)));
                first
            }
            NumProgram::LeafTree(o, a, b) => {
                let a = score_leaf(a, consts, row);
                let first = b.chain(consts, row, steps)?;
                steps.push(Step::new(*o, true, a));
                first
            }
            NumProgram::Tree(o, a, b) => match (&**a, &**b) {
                (a, NumProgram::Leaf(l)) => {
                    let first = a.chain(consts, row, steps)?;
                    steps.push(Step::new(*o, false, score_leaf(l, consts, row)));
                    first
                }
                (NumProgram::Leaf(l), b) => {
                    let l = score_leaf(l, consts, row);
                    let first = b.chain(consts, row, steps)?;
                    steps.push(Step::new(*o, true, l));
                    first
                }
                _ => return None,
            },
            NumProgram::Neg(a) => {
                let first = a.chain(consts, row, steps)?;
                steps.push(Step::Neg);
                first
            }
            NumProgram::Smoothed(_)
            | NumProgram::Utilisation(_)
            | NumProgram::Distance(_)
            | NumProgram::Scalar(_) => return None,
        })
    }

    fn score_node(&self, consts: &[Scalar], row: &mut Vec<NumLeaf>) -> Option<ScoreNode> {
        let leaf = |l: &NumLeaf, row: &mut Vec<NumLeaf>| score_leaf(l, consts, row);
        Some(match self {
            NumProgram::Leaf(l) => ScoreNode::Leaf(leaf(l, row)),
            NumProgram::LeafLeaf(o, a, b) => {
                let (a, b) = (leaf(a, row), leaf(b, row));
                ScoreNode::Fn(binary(*o, ScoreNode::Leaf(a), ScoreNode::Leaf(b)))
            }
            NumProgram::TreeLeaf(o, a, b) => {
                let a = a.score_node(consts, row)?;
                let b = leaf(b, row);
                ScoreNode::Fn(binary(*o, a, ScoreNode::Leaf(b)))
            }
            NumProgram::LeafTree(o, a, b) => {
                let a = leaf(a, row);
                let b = b.score_node(consts, row)?;
                ScoreNode::Fn(binary(*o, ScoreNode::Leaf(a), b))
            }
            NumProgram::Tree(o, a, b) => {
                let a = a.score_node(consts, row)?;
                let b = b.score_node(consts, row)?;
                ScoreNode::Fn(binary(*o, a, b))
            }
            NumProgram::Neg(a) => {
                let f = a.score_node(consts, row)?.into_fn();
                ScoreNode::Fn(Box::new(move |x, r| -f(x, r)))
            }
            NumProgram::Smoothed(_)
            | NumProgram::Utilisation(_)
            | NumProgram::Distance(_)
            | NumProgram::Scalar(_) => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The closure compilation of `p` (the evaluator chains replace).
    fn nested(p: &NumProgram) -> PartnerScoreFn {
        let mut row = Vec::new();
        p.score_node(&[Scalar::Float(2.5)], &mut row)
            .map(ScoreNode::into_fn)
            .expect("arithmetic only")
    }

    #[test]
    fn chains_compute_the_nested_closures_bit_for_bit() {
        use ArithOp::{Add, Div, Mul, Sub};
        use NumLeaf::{ActiveLeads, Column, Const, Slot, Static};
        let leaf = |l| Box::new(NumProgram::Leaf(l));
        // 0.2 * (1 - active / capacity) + static
        let w1 = || {
            NumProgram::LeafTree(
                Add,
                Static(0),
                Box::new(NumProgram::LeafTree(
                    Mul,
                    Const(0.2),
                    Box::new(NumProgram::LeafTree(
                        Sub,
                        Const(1.0),
                        Box::new(NumProgram::LeafLeaf(Div, ActiveLeads, Column(3))),
                    )),
                )),
            )
        };
        let programs = [
            // chains of one, two and five steps (four and three below)
            NumProgram::LeafLeaf(Div, Column(1), ActiveLeads),
            NumProgram::Neg(Box::new(NumProgram::LeafLeaf(Sub, ActiveLeads, Slot(0)))),
            NumProgram::Neg(Box::new(w1())),
            w1(),
            NumProgram::Neg(Box::new(NumProgram::TreeLeaf(
                Div,
                Box::new(NumProgram::LeafLeaf(Sub, Slot(0), ActiveLeads)),
                Column(1),
            ))),
            NumProgram::Tree(
                Sub,
                leaf(Column(1)),
                Box::new(NumProgram::Tree(
                    Div,
                    Box::new(NumProgram::LeafLeaf(Mul, ActiveLeads, Static(2))),
                    leaf(Const(0.0)),
                )),
            ),
        ];
        let rows: [&[f64]; 4] = [
            &[0.1, 3.0, 7.0, 0.0],
            &[f64::NAN, -0.0, 1e308, 3.0],
            &[0.3, 0.7, 0.0, 9.0],
            &[],
        ];
        for p in &programs {
            let mut row = Vec::new();
            let chain = p
                .partner_score(&[Scalar::Float(2.5)], &mut row)
                .expect("chain");
            let reference = nested(p);
            for r in rows {
                for a in [0.0, 1.0, 3.0, f64::NAN, -2.0] {
                    assert_eq!(
                        chain.eval(a, r).to_bits(),
                        reference(a, r).to_bits(),
                        "{a} {r:?}"
                    );
                }
            }
        }
    }
}
