//! Pest's pairs to `registration` declarations (deal-registration policies) and their entries.

use pest::iterators::Pair;

use super::{is_token, Builder};
use crate::ast::*;
use crate::diagnostics::Diagnostic;
use crate::parse::Rule;

impl Builder<'_> {
    /// A `registration` declaration.
    pub(super) fn registration(
        &self,
        p: Pair<'_, Rule>,
    ) -> Result<RegistrationDecl, Vec<Diagnostic>> {
        let (name, entries, span) = self.block(p, |e| self.registration_entry(e))?;
        Ok(RegistrationDecl {
            name: self.string(name)?,
            entries,
            span,
        })
    }

    /// A number with its span.
    fn spanned_number(&self, p: Pair<'_, Rule>) -> Result<(NumLit, Span), Vec<Diagnostic>> {
        let span = self.span(&p);
        Ok((self.number(p)?, span))
    }

    /// `queue "name"`'s string.
    fn queue_name(&self, q: Pair<'_, Rule>) -> Result<StrLit, Vec<Diagnostic>> {
        let qspan = self.span(&q);
        self.string(self.next_content(&mut q.into_inner(), qspan)?)
    }

    /// One entry of a registration policy.
    fn registration_entry(
        &self,
        e: Pair<'_, Rule>,
    ) -> Result<Clause<RegistrationEntry>, Vec<Diagnostic>> {
        // the entry ends where its last token does (pest keeps the blanks and comments after an
        // entry whose optional tail is absent)
        let full = self.span(&e);
        let end = e
            .clone()
            .into_inner()
            .last()
            .map_or(full.end, |q| self.span(&q).end);
        let span = Span::new(full.start, end);
        let rule = e.as_rule();
        let mut it = e.into_inner();
        let node = match rule {
            Rule::match_entry => {
                let mut keys = Vec::new();
                let mut threshold = None;
                for q in it {
                    match q.as_rule() {
                        Rule::word => keys.push(self.ident(q)),
                        Rule::number => threshold = Some(self.spanned_number(q)?),
                        _ => {}
                    }
                }
                RegistrationEntry::Match { keys, threshold }
            }
            Rule::overlap_entry => {
                RegistrationEntry::Overlap(self.ident(self.next_content(&mut it, span)?))
            }
            Rule::check_entry => RegistrationEntry::Check(self.words(it)),
            Rule::protect_entry => {
                let mut numbers = Vec::new();
                for q in it.filter(|q| q.as_rule() == Rule::number) {
                    numbers.push(self.spanned_number(q)?);
                }
                let mut numbers = numbers.into_iter();
                let period = numbers
                    .next()
                    .ok_or_else(|| vec![self.internal(span.start)])?;
                RegistrationEntry::Protect {
                    period,
                    extend: numbers.next(),
                    max: numbers.next(),
                }
            }
            Rule::reg_on_entry => {
                let situation = self.ident(self.next_content(&mut it, span)?);
                let a = self.next_content(&mut it, span)?;
                let action = match a.as_rule() {
                    Rule::reg_holder => match a.into_inner().find(|q| !is_token(q.as_rule())) {
                        Some(q) => RegistrationAction::Holder(Some(self.queue_name(q)?)),
                        None => RegistrationAction::Holder(None),
                    },
                    Rule::queue_target => RegistrationAction::Queue(self.queue_name(a)?),
                    _ => RegistrationAction::Word(self.ident(a)),
                };
                RegistrationEntry::On { situation, action }
            }
            _ => return Err(vec![self.internal(span.start)]),
        };
        Ok(Clause { node, span })
    }
}
