//! Checking `registration` declarations (deal-registration policies) and elaborating them into
//! the core's [`Policy`].
//!
//! A policy matches by the `match` entries it has and no others; `require product_lines
//! overlap` is off unless written; `check` defaults to every record kind, `protect` to 90 days
//! with one extension of 30, and the outcomes to `reject` (clear conflict), `review` (possible
//! duplicate) and `flag` (lead conflict). Every mistake is reported at the word at fault.

use leadrail_core::dealreg::{LeadConflict, Outcome, Policy};
use leadrail_core::report::codes;
use leadrail_core::schema::Schema;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::Checker;
use crate::ast::*;
use crate::diagnostics::suggest;

/// A threshold that no similarity reaches: the rule is off.
pub const OFF: f64 = 2.0;

const MATCH_KEYS: [&str; 4] = ["name", "domain", "postal", "email"];
const RECORD_KINDS: [&str; 3] = ["registrations", "accounts", "leads"];
const SITUATIONS: [&str; 3] = ["clear_conflict", "possible_duplicate", "lead_conflict"];
const ACTIONS: [&str; 6] = ["reject", "review", "approve", "flag", "holder", "queue"];
const MATCH_HELP: &str = "the matching rules are `match name >= 0.9`, `match domain`, \
                          `match postal and name >= 0.75` and `match email`";
/// The lead fields a lead-conflict check compares (one of them is needed).
const LEAD_FIELDS: [&str; 5] = ["company", "domain", "website", "contact_email", "email"];

impl Checker<'_> {
    /// Checks the registration policies of a file; `lead` is the lead schema (for `on
    /// lead_conflict`).
    pub(super) fn registrations(&mut self, file: &RuleFile, lead: &Schema) -> Vec<Policy> {
        let mut out: Vec<Policy> = Vec::new();
        let mut names: Vec<(&str, Span)> = Vec::new();
        let mut routing: Option<Span> = None;
        for r in file.registrations() {
            if let Some((_, first)) = names.iter().find(|(n, _)| *n == r.name.value) {
                let d = self
                    .src
                    .error(
                        codes::CHECK_DUPLICATE_ITEM,
                        format!("two registration policies are named `{}`", r.name.value),
                    )
                    .label(r.name.span, "second policy with this name")
                    .label(*first, "first policy with this name")
                    .help("hosts pick a policy by its name; give each policy its own name");
                self.err(d);
                // its entries are checked all the same
                self.registration(r, lead, &mut routing);
                continue;
            }
            names.push((&r.name.value, r.name.span));
            if let Some(p) = self.registration(r, lead, &mut routing) {
                out.push(p);
            }
        }
        out
    }

    /// An `invalid_policy` error at `span`.
    fn invalid(&mut self, span: Span, message: String, label: &str, help: &str) {
        let d = self
            .src
            .error(codes::REGISTRATION_INVALID_POLICY, message)
            .label(span, label)
            .help(help);
        self.err(d);
    }

    /// An `unknown_name` error for `word`, one of `known` (a `what`).
    fn unknown(&mut self, word: &Ident, what: &str, known: &[&str]) {
        let list = known
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let d = self
            .src
            .error(
                codes::REGISTRATION_UNKNOWN_NAME,
                format!("unknown {what} `{}`", word.name),
            )
            .label(
                word.span,
                if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
                    format!("not an {what}")
                } else {
                    format!("not a {what}")
                },
            )
            .help(
                suggest(&word.name, known.iter().copied())
                    .unwrap_or_else(|| format!("the {what}s are {list}")),
            );
        self.err(d);
    }

    /// The error for an entry that may appear once, seen again.
    fn repeated(&mut self, what: &str, span: Span, first: Span) {
        let d = self
            .src
            .error(
                codes::REGISTRATION_INVALID_POLICY,
                format!("a registration policy has one `{what}` entry"),
            )
            .label(span, "repeated here")
            .label(first, "first here")
            .help(format!("remove one of the `{what}` entries"));
        self.err(d);
    }

    /// A similarity threshold in `0..=1` (`0.9` or `90%`).
    fn threshold(&mut self, n: &NumLit, span: Span) -> Option<f64> {
        let v = match n.unit {
            Unit::None => n.value,
            Unit::Percent => n.value / Decimal::ONE_HUNDRED,
            _ => {
                self.invalid(
                    span,
                    "a name threshold is a number, not a duration or distance".into(),
                    "not a similarity",
                    "write a similarity from 0 to 1, e.g. `match name >= 0.9` or `>= 90%`",
                );
                return None;
            }
        };
        if v < Decimal::ZERO || v > Decimal::ONE {
            let help = if n.unit == Unit::None
                && n.value.fract().is_zero()
                && v > Decimal::ONE
                && v <= Decimal::ONE_HUNDRED
            {
                format!(
                    "a name similarity is between 0 and 1: write `{}%` or `{}`",
                    n.value,
                    (n.value / Decimal::ONE_HUNDRED).normalize()
                )
            } else {
                "a name similarity is between 0 (nothing alike) and 1 (the same name), e.g. \
                 `match name >= 0.9` or `>= 90%`"
                    .to_string()
            };
            self.invalid(
                span,
                format!("the name threshold `{}` is outside 0..1", number_text(n)),
                "not between 0 and 1",
                &help,
            );
            return None;
        }
        v.to_f64()
    }

    /// A number of whole days (`90d`, `2w`).
    fn days(&mut self, n: &NumLit, span: Span, what: &str) -> Option<u32> {
        let per = match n.unit {
            Unit::Days => Decimal::ONE,
            Unit::Weeks => Decimal::from(7),
            _ => {
                self.invalid(
                    span,
                    format!("the {what} is counted in days, found `{}`", number_text(n)),
                    "not days",
                    "write whole days or weeks, e.g. `protect 90d extend 30d max 1`",
                );
                return None;
            }
        };
        let days = n.value.checked_mul(per)?;
        match (days.fract().is_zero(), days.to_u32()) {
            (true, Some(d)) if d > 0 => Some(d),
            _ => {
                self.invalid(
                    span,
                    format!(
                        "the {what} `{}` is not a whole number of days",
                        number_text(n)
                    ),
                    "not whole days",
                    "write a whole number of days from 1, e.g. `90d`",
                );
                None
            }
        }
    }

    fn registration(
        &mut self,
        r: &RegistrationDecl,
        lead: &Schema,
        routing: &mut Option<Span>,
    ) -> Option<Policy> {
        let before = self.errors.len();
        let mut p = Policy {
            name: r.name.value.clone(),
            name_threshold: OFF,
            postal_name_threshold: OFF,
            match_domain: false,
            match_email: false,
            require_product_overlap: false,
            ..Policy::default()
        };
        // the first span of each entry kind seen (`match name`, `on lead_conflict`, ...)
        let mut seen: Vec<(String, Span)> = Vec::new();
        let mut once = |c: &mut Self, key: String, span: Span| -> bool {
            if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                c.repeated(&key, span, *first);
                false
            } else {
                seen.push((key, span));
                true
            }
        };
        let mut matches = 0;
        for e in &r.entries {
            match &e.node {
                RegistrationEntry::Match { keys, threshold } => {
                    matches += 1;
                    let mut ok = true;
                    for k in keys {
                        if !MATCH_KEYS.contains(&k.name.as_str()) {
                            self.unknown(k, "match key", &MATCH_KEYS);
                            ok = false;
                        }
                    }
                    if !ok {
                        continue;
                    }
                    let mut words: Vec<&str> = keys.iter().map(|k| k.name.as_str()).collect();
                    words.sort_unstable();
                    let text = keys
                        .iter()
                        .map(|k| k.name.as_str())
                        .collect::<Vec<_>>()
                        .join(" and ");
                    let key = format!("match {text}");
                    let needs_threshold = words.contains(&"name");
                    match (needs_threshold, threshold) {
                        (true, None) => {
                            self.invalid(
                                e.span,
                                format!("`{key}` needs a threshold"),
                                "no `>= N`",
                                "write the least name similarity, e.g. `match name >= 0.9`",
                            );
                            continue;
                        }
                        (false, Some((_, s))) => {
                            self.invalid(
                                *s,
                                format!("`{key}` takes no threshold"),
                                "not used",
                                "only a rule with `name` has a threshold; write e.g. \
                                 `match domain`",
                            );
                            continue;
                        }
                        _ => {}
                    }
                    let t = match threshold {
                        Some((n, s)) => match self.threshold(n, *s) {
                            Some(t) => t,
                            None => continue,
                        },
                        None => OFF,
                    };
                    let rule = match words.as_slice() {
                        ["name"] | ["name", "postal"] | ["domain"] | ["email"] => {
                            words.join(" and ")
                        }
                        _ => {
                            self.invalid(
                                e.span,
                                format!("`{key}` is not a matching rule"),
                                "no such rule",
                                MATCH_HELP,
                            );
                            continue;
                        }
                    };
                    if !once(self, format!("match {rule}"), e.span) {
                        continue;
                    }
                    match rule.as_str() {
                        "name" => p.name_threshold = t,
                        "domain" => p.match_domain = true,
                        "email" => p.match_email = true,
                        _ => p.postal_name_threshold = t,
                    }
                }
                RegistrationEntry::Overlap(w) => {
                    if w.name != "product_lines" {
                        self.unknown(w, "overlap field", &["product_lines"]);
                    } else if once(self, "require".into(), e.span) {
                        p.require_product_overlap = true;
                    }
                }
                RegistrationEntry::Check(kinds) => {
                    if !once(self, "check".into(), e.span) {
                        continue;
                    }
                    let mut listed: Vec<&str> = Vec::new();
                    for k in kinds {
                        if !RECORD_KINDS.contains(&k.name.as_str()) {
                            self.unknown(k, "record kind", &RECORD_KINDS);
                        } else if listed.contains(&k.name.as_str()) {
                            self.invalid(
                                k.span,
                                format!("`{}` is listed twice", k.name),
                                "again",
                                "list each record kind once",
                            );
                        } else {
                            listed.push(&k.name);
                        }
                    }
                    p.check_registrations = listed.contains(&"registrations");
                    p.check_accounts = listed.contains(&"accounts");
                    p.check_leads = listed.contains(&"leads");
                }
                RegistrationEntry::Protect {
                    period,
                    extend,
                    max,
                } => {
                    if !once(self, "protect".into(), e.span) {
                        continue;
                    }
                    p.protection_days = self.days(&period.0, period.1, "protection").unwrap_or(1);
                    p.extension_days = 0;
                    p.max_extensions = 0;
                    if let Some((n, s)) = extend {
                        p.extension_days = self.days(n, *s, "extension").unwrap_or(1);
                        p.max_extensions = 1;
                    }
                    if let Some((n, s)) = max {
                        match (n.unit, n.value.fract().is_zero(), n.value.to_u32()) {
                            (Unit::None, true, Some(m)) => p.max_extensions = m,
                            _ => self.invalid(
                                *s,
                                format!("`max {}` is not a number of extensions", number_text(n)),
                                "not a whole number",
                                "write how many extensions a registration may have, e.g. \
                                 `extend 30d max 2`",
                            ),
                        }
                    }
                }
                RegistrationEntry::On { situation, action } => {
                    if !SITUATIONS.contains(&situation.name.as_str()) {
                        self.unknown(situation, "situation", &SITUATIONS);
                        continue;
                    }
                    if !once(self, format!("on {}", situation.name), e.span) {
                        continue;
                    }
                    self.action(&mut p, situation, action, e.span, lead, routing);
                }
            }
        }
        if matches == 0 {
            self.invalid(
                r.name.span,
                format!(
                    "registration policy `{}` has no `match` entry",
                    r.name.value
                ),
                "matches nothing",
                MATCH_HELP,
            );
        }
        (self.errors.len() == before).then_some(p)
    }

    /// An `on SITUATION ACTION` entry, stored into `p`.
    fn action(
        &mut self,
        p: &mut Policy,
        situation: &Ident,
        action: &RegistrationAction,
        span: Span,
        lead: &Schema,
        routing: &mut Option<Span>,
    ) {
        let s = situation.name.as_str();
        let allowed: &[&str] = match s {
            "clear_conflict" => &["reject", "review"],
            "possible_duplicate" => &["review", "approve"],
            _ => &["flag", "holder", "queue"],
        };
        let (word, word_span) = match action {
            RegistrationAction::Word(w) => (w.name.as_str(), w.span),
            RegistrationAction::Holder(_) => ("holder", span),
            RegistrationAction::Queue(q) => ("queue", q.span),
        };
        if !ACTIONS.contains(&word) {
            if let RegistrationAction::Word(w) = action {
                self.unknown(w, "action", allowed);
            }
            return;
        }
        if !allowed.contains(&word)
            || (word == "queue" && !matches!(action, RegistrationAction::Queue(_)))
        {
            let list = allowed
                .iter()
                .map(|a| match *a {
                    "holder" => "`holder` (`holder else queue \"name\"`)".to_string(),
                    "queue" => "`queue \"name\"`".to_string(),
                    a => format!("`{a}`"),
                })
                .collect::<Vec<_>>();
            let list = match list.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
                _ => list.join(""),
            };
            self.invalid(
                word_span,
                format!("`on {s}` does not take `{word}`"),
                "not an action of this situation",
                &format!("`on {s}` takes {list}"),
            );
            return;
        }
        match (s, action) {
            ("clear_conflict", _) => {
                p.clear_conflict = if word == "reject" {
                    Outcome::Reject
                } else {
                    Outcome::Review
                }
            }
            ("possible_duplicate", _) => {
                p.possible_duplicate = if word == "review" {
                    Outcome::Review
                } else {
                    Outcome::AutoApprove
                }
            }
            (_, RegistrationAction::Word(_)) => p.lead_conflict = LeadConflict::Flag,
            (_, a) => {
                if let Some(first) = *routing {
                    let d = self
                        .src
                        .error(
                            codes::REGISTRATION_INVALID_POLICY,
                            "two registration policies route lead conflicts",
                        )
                        .label(span, "second here")
                        .label(first, "first here")
                        .help("routing uses one policy for lead conflicts; keep one `on lead_conflict` entry that is not `flag`");
                    self.err(d);
                    return;
                }
                *routing = Some(span);
                if !LEAD_FIELDS.iter().any(|f| lead.index_of(f).is_some()) {
                    let d = self
                        .src
                        .error(
                            codes::CHECK_SCHEMA_REQUIREMENT,
                            "`on lead_conflict` needs a lead field to compare",
                        )
                        .label(span, "the lead schema has none")
                        .help("add `company: text` (or `domain`, `website`, `contact_email`, `email`) to `schema lead`");
                    self.err(d);
                }
                p.lead_conflict = match a {
                    RegistrationAction::Holder(q) => LeadConflict::Holder {
                        otherwise: q.as_ref().map(|q| q.value.clone()),
                    },
                    RegistrationAction::Queue(q) => LeadConflict::Queue(q.value.clone()),
                    RegistrationAction::Word(_) => LeadConflict::Flag,
                };
            }
        }
    }
}

/// A number as written (`90d`, `0.5`).
fn number_text(n: &NumLit) -> String {
    format!("{}{}", n.value, n.unit.suffix())
}
