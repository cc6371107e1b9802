//! [`NumProgram`]: a numeric expression compiled to a tree of operations over operands read
//! without a call ([`NumLeaf`]: constants, partner columns, the active-leads state, lead slots,
//! per-batch static values), evaluated per candidate with one `match` per node. `NaN` stands
//! for null. Each node computes exactly the operation of the expression node it stands for
//! (with the functions of [`super`]), so results are bit-identical to the generic evaluator.

use crate::geo::haversine_km;
use crate::network::Scalar;
use crate::plan::{ArithOp, Expr, Scope};
use crate::value::Type;

use super::{float_arith, smoothed, utilisation};
use crate::route::analysis::{is_number, lead_only, partner_only};
use crate::route::compile::{Compiler, LeadFrame, ScalarFn};

/// A number operand read without a call.
#[derive(Debug, Clone, Copy)]
pub(crate) enum NumLeaf {
    Const(f64),
    /// A partner column's numeric view.
    Column(usize),
    /// The partner's active lead count (state).
    ActiveLeads,
    /// A lead slot.
    Slot(usize),
    /// A static subexpression's value per partner, computed once per batch (see
    /// [`Compiler::number_folded`]).
    Static(usize),
}

impl NumLeaf {
    /// The operand's value for partner slot `p`.
    #[inline(always)]
    pub(crate) fn get(self, frame: &LeadFrame<'_>, p: usize) -> f64 {
        match self {
            NumLeaf::Const(x) => x,
            NumLeaf::Column(i) => frame.partner_number(i, p),
            NumLeaf::ActiveLeads => frame.active_leads(p).map_or(f64::NAN, |x| x as f64),
            NumLeaf::Slot(k) => frame.slot(k).f64(),
            NumLeaf::Static(j) => frame
                .statics
                .get(j)
                .and_then(|c| c.get(p))
                .copied()
                .unwrap_or(f64::NAN),
        }
    }
}

/// A compiled numeric expression (see the module docs). Arithmetic nodes say which operands
/// are leaves, so that those are read in their parent's frame.
pub(crate) enum NumProgram {
    /// A leaf.
    Leaf(NumLeaf),
    /// `leaf op leaf`.
    LeafLeaf(ArithOp, NumLeaf, NumLeaf),
    /// `tree op leaf`.
    TreeLeaf(ArithOp, Box<NumProgram>, NumLeaf),
    /// `leaf op tree`.
    LeafTree(ArithOp, NumLeaf, Box<NumProgram>),
    /// `tree op tree`.
    Tree(ArithOp, Box<NumProgram>, Box<NumProgram>),
    /// `-tree`.
    Neg(Box<NumProgram>),
    /// `smoothed(rate, n)`.
    Smoothed(Box<Smoothing>),
    /// `utilisation(partner)`: active leads and capacity.
    Utilisation(Box<[NumProgram; 2]>),
    /// `distance(a, b)` of two points.
    Distance(Box<[ScalarFn; 2]>),
    /// Any other expression, computed as a scalar and read as a number.
    Scalar(ScalarFn),
}

/// The operands of [`NumProgram::Smoothed`].
pub(crate) struct Smoothing {
    rate: NumProgram,
    n: NumProgram,
    prior: f64,
    weight: f64,
}

/// Evaluation with leaf-only nodes and one more level of `leaf op node` inline, deeper nodes
/// through `$child` (an inline evaluation one level shallower).
macro_rules! inline_level {
    ($(#[$doc:meta])* $name:ident, $child:ident) => {
        $(#[$doc])*
        #[inline(always)]
        fn $name(&self, frame: &LeadFrame<'_>, p: usize) -> f64 {
            match self {
                NumProgram::Leaf(l) => l.get(frame, p),
                NumProgram::LeafLeaf(o, a, b) => float_arith(*o, a.get(frame, p), b.get(frame, p)),
                NumProgram::LeafTree(o, a, b) => {
                    float_arith(*o, a.get(frame, p), b.$child(frame, p))
                }
                NumProgram::TreeLeaf(o, a, b) => {
                    float_arith(*o, a.$child(frame, p), b.get(frame, p))
                }
                _ => self.eval(frame, p),
            }
        }
    };
}

impl NumProgram {
    /// Evaluates the program for partner slot `p` (subtrees whose operands are leaves are
    /// evaluated in their parent's frame: a call per deeper subtree only).
    pub(crate) fn eval(&self, frame: &LeadFrame<'_>, p: usize) -> f64 {
        match self {
            NumProgram::Leaf(l) => l.get(frame, p),
            NumProgram::LeafLeaf(o, a, b) => float_arith(*o, a.get(frame, p), b.get(frame, p)),
            NumProgram::TreeLeaf(o, a, b) => float_arith(*o, a.shallow(frame, p), b.get(frame, p)),
            NumProgram::LeafTree(o, a, b) => float_arith(*o, a.get(frame, p), b.shallow(frame, p)),
            NumProgram::Tree(o, a, b) => float_arith(*o, a.shallow(frame, p), b.shallow(frame, p)),
            NumProgram::Neg(a) => -a.shallow(frame, p),
            NumProgram::Smoothed(s) => {
                smoothed(s.rate.eval(frame, p), s.n.eval(frame, p), s.prior, s.weight)
            }
            NumProgram::Utilisation(ac) => {
                let [a, c] = &**ac;
                let (a, c) = (a.eval(frame, p), c.eval(frame, p));
                if a.is_nan() {
                    f64::NAN
                } else {
                    utilisation(a, c)
                }
            }
            NumProgram::Distance(ab) => {
                let [a, b] = &**ab;
                match (a(frame, p), b(frame, p)) {
                    (Scalar::Point(x), Scalar::Point(y)) => haversine_km(x, y),
                    _ => f64::NAN,
                }
            }
            NumProgram::Scalar(f) => f(frame, p).f64(),
        }
    }

    inline_level!(
        /// [`NumProgram::eval`] with leaf-only nodes and `leaf op leaf-only node` inline.
        shallow,
        leafy
    );

    inline_level!(
        /// [`NumProgram::eval`] with leaf-only nodes and `leaf op leaf` inline.
        leafy,
        flat
    );

    /// A leaf or leaf-only node inline, anything deeper through [`NumProgram::eval`].
    #[inline(always)]
    fn flat(&self, frame: &LeadFrame<'_>, p: usize) -> f64 {
        match self {
            NumProgram::Leaf(l) => l.get(frame, p),
            NumProgram::LeafLeaf(o, a, b) => float_arith(*o, a.get(frame, p), b.get(frame, p)),
            _ => self.eval(frame, p),
        }
    }
}

/// An arithmetic node over compiled operands, with the leaves in the node.
fn arith_node(op: ArithOp, a: NumProgram, b: NumProgram) -> NumProgram {
    match (a, b) {
        (NumProgram::Leaf(x), NumProgram::Leaf(y)) => NumProgram::LeafLeaf(op, x, y),
        (NumProgram::Leaf(x), b) => NumProgram::LeafTree(op, x, Box::new(b)),
        (a, NumProgram::Leaf(y)) => NumProgram::TreeLeaf(op, Box::new(a), y),
        (a, b) => NumProgram::Tree(op, Box::new(a), Box::new(b)),
    }
}

impl Compiler<'_> {
    /// The leaf of a number operand read without a call: a number literal, a numeric partner
    /// field, a lead-only number (hoisted to a slot).
    pub(crate) fn num_leaf(&mut self, e: &Expr) -> Option<NumLeaf> {
        match e {
            Expr::Lit(v) => v.as_f64().map(NumLeaf::Const),
            Expr::Field(Scope::Partner, f) if is_number(&self.ty(e)) => {
                Some(if Some(*f) == self.state.active_leads {
                    NumLeaf::ActiveLeads
                } else {
                    NumLeaf::Column(usize::from(*f))
                })
            }
            _ if lead_only(e) && is_number(&self.ty(e)) => Some(NumLeaf::Slot(self.hoist(e))),
            _ => None,
        }
    }

    /// Compiles a numeric expression.
    pub(crate) fn number(&mut self, e: &Expr) -> NumProgram {
        if let Some(l) = self.num_leaf(e) {
            return NumProgram::Leaf(l);
        }
        let t = self.ty(e);
        match e {
            Expr::Arith(op, a, b) if t == Some(Type::Float) => {
                let (a, b) = (self.number(a), self.number(b));
                arith_node(*op, a, b)
            }
            Expr::Neg(x) if t == Some(Type::Float) || t == Some(Type::Ratio) => {
                NumProgram::Neg(Box::new(self.number(x)))
            }
            _ => self.number_node(e),
        }
    }

    /// A program for an expression that is neither a leaf nor float arithmetic.
    fn number_node(&mut self, e: &Expr) -> NumProgram {
        match e {
            Expr::Lit(v) => NumProgram::Leaf(NumLeaf::Const(v.as_f64().unwrap_or(f64::NAN))),
            _ if lead_only(e) => NumProgram::Leaf(NumLeaf::Slot(self.hoist(e))),
            Expr::Smoothed {
                rate,
                n,
                prior,
                weight,
            } => NumProgram::Smoothed(Box::new(Smoothing {
                rate: self.number(rate),
                n: self.number(n),
                prior: *prior,
                weight: *weight,
            })),
            Expr::Utilisation {
                active_leads,
                capacity,
            } => NumProgram::Utilisation(Box::new([
                self.number(&Expr::Field(Scope::Partner, *active_leads)),
                self.number(&Expr::Field(Scope::Partner, *capacity)),
            ])),
            Expr::Distance(a, b) => {
                NumProgram::Distance(Box::new([self.scalar(a), self.scalar(b)]))
            }
            _ => NumProgram::Scalar(self.scalar(e)),
        }
    }

    /// [`Compiler::number`] for a partner-only expression whose largest static subexpressions
    /// (partner fields and literals, no state), other than leaves, are read from
    /// [`LeadFrame::statics`] column `j` for `statics[j]`, computed once per batch by the same
    /// programs.
    pub(crate) fn number_folded(&mut self, e: &Expr, statics: &mut Vec<NumProgram>) -> NumProgram {
        let leaf = self.num_leaf(e);
        if leaf.is_none() && partner_only(e) && !self.state.read_by(e) {
            statics.push(self.number(e));
            return NumProgram::Leaf(NumLeaf::Static(statics.len() - 1));
        }
        if let Some(l) = leaf {
            return NumProgram::Leaf(l);
        }
        let t = self.ty(e);
        match e {
            Expr::Arith(op, a, b) if t == Some(Type::Float) => {
                let a = self.number_folded(a, statics);
                let b = self.number_folded(b, statics);
                arith_node(*op, a, b)
            }
            Expr::Neg(x) if t == Some(Type::Float) || t == Some(Type::Ratio) => {
                NumProgram::Neg(Box::new(self.number_folded(x, statics)))
            }
            _ => self.number_node(e),
        }
    }
}
