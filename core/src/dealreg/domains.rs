//! Web and e-mail domains: normalised, and free-mail providers set apart.
//!
//! [`company_domain`] reads a web address, a bare domain or an e-mail address: scheme, user,
//! path, query, port, a trailing dot and `www.` (or `www2.`, ...) go; case folds. A domain of a
//! free e-mail provider (gmail.com, gmx.de, mail.ru, ...: the maintained list of the npm package
//! `free-email-domains`, vendored in `data/free_email_domains.txt`) is never a company domain.

use std::sync::OnceLock;

use rustc_hash::FxHashSet;

const FREE_MAIL: &str = include_str!("data/free_email_domains.txt");

fn free_mail() -> &'static FxHashSet<&'static str> {
    static SET: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        FREE_MAIL
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    })
}

/// The host part of a web address, domain or e-mail address, normalised (lower case, no
/// scheme, user, path, port, trailing dot or `www.`); `None` when nothing that looks like a
/// domain is left.
pub fn normalize_domain(input: &str) -> Option<String> {
    let mut s = input.trim().to_lowercase();
    if let Some(p) = s.find("://") {
        s = s.get(p + 3..).unwrap_or_default().to_owned();
    }
    if let Some(p) = s.rfind('@') {
        s = s.get(p + 1..).unwrap_or_default().to_owned();
    }
    if let Some(p) = s.find(['/', '?', '#']) {
        s.truncate(p);
    }
    if let Some(p) = s.find(':') {
        s.truncate(p);
    }
    let mut s = s.trim_end_matches('.').to_owned();
    // www., www1., www2. ...
    if let Some(rest) = s.strip_prefix("www") {
        let digits = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        if let Some(r) = digits.strip_prefix('.') {
            if r.contains('.') {
                s = r.to_owned();
            }
        }
    }
    let ok = s.contains('.')
        && !s.starts_with('.')
        && !s.contains("..")
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    ok.then_some(s)
}

/// Whether a (normalised) domain is a free e-mail provider's.
pub fn is_free_mail(domain: &str) -> bool {
    free_mail().contains(domain)
}

/// The company domain of a web address, domain or e-mail address: normalised, and `None` for a
/// free e-mail provider or something that is not a domain.
pub fn company_domain(input: &str) -> Option<String> {
    normalize_domain(input).filter(|d| !is_free_mail(d))
}

/// An e-mail address normalised for comparison (trimmed, lower case); `None` without an `@`
/// and a domain.
pub fn normalize_email(input: &str) -> Option<String> {
    let s = input.trim().to_lowercase();
    let (user, dom) = s.rsplit_once('@')?;
    let dom = normalize_domain(dom)?;
    (!user.is_empty()).then(|| format!("{user}@{dom}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_forms_of_one_domain() {
        for s in [
            "acme.com",
            "ACME.COM",
            "www.acme.com",
            "https://www.Acme.com/contact?x=1",
            "http://acme.com:8080",
            "acme.com.",
            "sales@acme.com",
            "Jane.Doe@ACME.com",
            "www2.acme.com",
        ] {
            assert_eq!(normalize_domain(s).as_deref(), Some("acme.com"), "{s}");
        }
        // "www" as the registrable name stays
        assert_eq!(normalize_domain("www.com").as_deref(), Some("www.com"));
        assert_eq!(normalize_domain("not a domain"), None);
        assert_eq!(normalize_domain(""), None);
    }

    #[test]
    fn free_mail_is_never_a_company_domain() {
        for s in [
            "john@gmail.com",
            "x@GMX.de",
            "y@mail.ru",
            "z@yahoo.co.uk",
            "outlook.com",
        ] {
            assert_eq!(company_domain(s), None, "{s}");
        }
        assert_eq!(
            company_domain("buyer@bosch.de").as_deref(),
            Some("bosch.de")
        );
    }

    #[test]
    fn emails() {
        assert_eq!(
            normalize_email(" Jane@Acme.com ").as_deref(),
            Some("jane@acme.com")
        );
        assert_eq!(normalize_email("jane"), None);
    }
}
