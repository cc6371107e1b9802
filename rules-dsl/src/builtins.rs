//! The built-in functions and operators, defined once: the checker, `docs/language.md` and the
//! CLI help all come from [`BUILTINS`].

/// Whether a built-in is called like a function or written as an operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltinKind {
    /// `name(args)`
    Function,
    /// `a name b`
    Operator,
}

/// One built-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Builtin {
    /// Its name.
    pub name: &'static str,
    /// Function or operator.
    pub kind: BuiltinKind,
    /// Its signature, as shown in docs and errors.
    pub signature: &'static str,
    /// Fewest arguments (functions).
    pub min_args: usize,
    /// Most arguments (functions).
    pub max_args: usize,
    /// What it does (Markdown).
    pub doc: &'static str,
    /// An example.
    pub example: &'static str,
}

/// Every built-in.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "covers",
        kind: BuiltinKind::Operator,
        signature: "region covers region -> bool, set<region> covers region -> bool",
        min_args: 2,
        max_args: 2,
        doc: "True if the territory (or any territory of the set) covers the region: same \
              country, the territory's subdivision (if any) equal to the region's, its postal \
              prefix (if any) a prefix of the region's postal code, and no exclusion covering it. \
              A string literal on the right is read as a region code (`\"US-TX\"`).",
        example: "require partner.territories covers lead.region",
    },
    Builtin {
        name: "distance",
        kind: BuiltinKind::Function,
        signature: "distance(geopoint, geopoint) -> number (km)",
        min_args: 2,
        max_args: 2,
        doc: "Great-circle (haversine) distance in kilometres; null if either point is missing.",
        example: "require distance(partner.location, lead.location) <= 150 km",
    },
    Builtin {
        name: "certified",
        kind: BuiltinKind::Function,
        signature: "certified(partner, text) -> bool",
        min_args: 2,
        max_args: 2,
        doc: "True if the partner's certifications (its one `map<text, date>` field) hold the \
              name with a validity date on or after the routing date (the UTC date of `now`). \
              The partner schema must have exactly one `map<text, date>` field.",
        example: "require certified(partner, \"hydraulic-systems\")",
    },
    Builtin {
        name: "smoothed",
        kind: BuiltinKind::Function,
        signature: "smoothed(ratio, int[, prior, weight]) -> number",
        min_args: 2,
        max_args: 4,
        doc: "A small-sample-safe rate: `(rate * n + prior * weight) / (n + weight)`. `prior` \
              (default 0.5) and `weight` (default 10, in pseudo-observations) are number \
              literals. A partner with 1 lead and 1 acceptance scores 0.55, not 1.0.",
        example: "rank smoothed(partner.acceptance_rate, partner.leads_received, 0.5, 10)",
    },
    Builtin {
        name: "utilisation",
        kind: BuiltinKind::Function,
        signature: "utilisation(partner) -> number",
        min_args: 1,
        max_args: 1,
        doc: "`active_leads / capacity` as a number (capacity 0 gives 1.0). The partner schema \
              must have int fields `capacity` and `active_leads`; `active_leads` is read from \
              the partner's state.",
        example: "require utilisation(partner) < 0.8",
    },
];

/// The built-in with this name.
pub fn lookup(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// The names of the built-in functions (not operators).
pub fn function_names() -> impl Iterator<Item = &'static str> {
    BUILTINS
        .iter()
        .filter(|b| b.kind == BuiltinKind::Function)
        .map(|b| b.name)
}

/// The built-ins section of `docs/language.md` (Markdown), generated from [`BUILTINS`].
pub fn markdown() -> String {
    let mut out = String::from("| built-in | signature | what it does |\n|---|---|---|\n");
    for b in BUILTINS {
        out.push_str(&format!(
            "| `{}` | `{}` | {} Example: `{}` |\n",
            b.name,
            b.signature,
            b.doc.replace('|', "\\|"),
            b.example
        ));
    }
    out
}
