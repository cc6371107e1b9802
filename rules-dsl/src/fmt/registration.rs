//! The canonical text of a `registration` declaration's entries.

use super::{number_text, quote};
use crate::ast::*;

/// The canonical text of a registration-policy entry.
pub fn registration_entry_text(e: &RegistrationEntry) -> String {
    match e {
        RegistrationEntry::Match { keys, threshold } => {
            let keys = keys
                .iter()
                .map(|k| k.name.as_str())
                .collect::<Vec<_>>()
                .join(" and ");
            match threshold {
                Some((n, _)) => format!("match {keys} >= {}", number_text(n)),
                None => format!("match {keys}"),
            }
        }
        RegistrationEntry::Overlap(w) => format!("require {} overlap", w.name),
        RegistrationEntry::Check(kinds) => format!(
            "check {}",
            kinds
                .iter()
                .map(|k| k.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        RegistrationEntry::Protect {
            period,
            extend,
            max,
        } => {
            let mut out = format!("protect {}", number_text(&period.0));
            if let Some((n, _)) = extend {
                out.push_str(&format!(" extend {}", number_text(n)));
            }
            if let Some((n, _)) = max {
                out.push_str(&format!(" max {}", number_text(n)));
            }
            out
        }
        RegistrationEntry::On { situation, action } => {
            let action = match action {
                RegistrationAction::Word(w) => w.name.clone(),
                RegistrationAction::Holder(None) => "holder".to_string(),
                RegistrationAction::Holder(Some(q)) => {
                    format!("holder else queue {}", quote(&q.value))
                }
                RegistrationAction::Queue(q) => format!("queue {}", quote(&q.value)),
            };
            format!("on {} {action}", situation.name)
        }
    }
}
