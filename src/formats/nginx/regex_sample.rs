//! Regex locations: compiling nginx (PCRE) patterns and deriving a URI that a pattern matches,
//! so location selection can be asked who really serves a regex location's requests.

use regex::Regex;
use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// Compiles a location pattern the way nginx matches it (`~*` is case-insensitive).
/// Patterns the `regex` crate cannot express (backreferences, lookaround) give `None`.
pub fn compile(pattern: &str, case_insensitive: bool) -> Option<Regex> {
    regex::RegexBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .size_limit(1 << 20)
        .build()
        .ok()
}

/// For a pattern starting with `^` followed by literal characters, those characters: a URI
/// that does not start with them cannot match, and the regex need not be compiled.
pub fn anchored_literal_prefix(pattern: &str) -> Option<&str> {
    let rest = pattern.strip_prefix('^')?;
    let n = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '@')))
        .unwrap_or(rest.len());
    // A quantifier applies to the character before it, which is then not required.
    let n = match rest[n..].chars().next() {
        Some('?' | '*' | '{') if n > 0 => n - 1,
        _ => n,
    };
    Some(&rest[..n])
}

/// If the whole pattern is `^` plus literal path characters (`^/api/ws/`), that literal: the
/// regex is then equivalent to a prefix location.
pub fn anchored_literal(pattern: &str) -> Option<&str> {
    let lit = anchored_literal_prefix(pattern)?;
    (lit.len() + 1 == pattern.len() && lit.starts_with('/')).then_some(lit)
}

/// A URI the pattern matches, as short and plain as possible, verified against the regex.
pub fn sample_uri(pattern: &str, regex: &Regex) -> Option<String> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    let mut s = String::new();
    write_sample(&hir, &mut s);
    let candidates = [
        s.clone(),
        format!("/{s}"),
        format!("/{}", s.trim_start_matches('/')),
    ];
    candidates
        .into_iter()
        .find(|c| c.starts_with('/') && regex.is_match(c))
}

fn write_sample(hir: &Hir, out: &mut String) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => out.push_str(&String::from_utf8_lossy(&lit.0)),
        HirKind::Class(class) => {
            if let Some(c) = pick_from_class(class) {
                out.push(c);
            }
        }
        HirKind::Repetition(rep) => {
            for _ in 0..rep.min.min(8) {
                write_sample(&rep.sub, out);
            }
        }
        HirKind::Capture(cap) => write_sample(&cap.sub, out),
        HirKind::Concat(items) => items.iter().for_each(|h| write_sample(h, out)),
        HirKind::Alternation(alts) => {
            if let Some(first) = alts.first() {
                write_sample(first, out);
            }
        }
    }
}

/// Prefers a lowercase letter, then a digit, then anything printable but `/`, so samples
/// look like path segments.
fn pick_from_class(class: &Class) -> Option<char> {
    let chars: Vec<char> = match class {
        Class::Unicode(u) => u
            .iter()
            .flat_map(|r| {
                let (a, b) = (r.start(), r.end());
                [
                    a,
                    char::from_u32((a as u32).saturating_add(1))
                        .unwrap_or(a)
                        .min(b),
                    b,
                ]
            })
            .collect(),
        Class::Bytes(b) => b
            .iter()
            .flat_map(|r| [r.start() as char, r.end() as char])
            .collect(),
    };
    let in_class = |c: char| match class {
        Class::Unicode(u) => u.iter().any(|r| r.start() <= c && c <= r.end()),
        Class::Bytes(b) => b
            .iter()
            .any(|r| (r.start() as char) <= c && c <= (r.end() as char)),
    };
    ('a'..='z')
        .chain('0'..='9')
        .find(|&c| in_class(c))
        .or_else(|| {
            chars
                .into_iter()
                .find(|c| c.is_ascii_graphic() && *c != '/')
        })
}

/// Whether the pattern only matches at the start of the URI (for messages).
pub fn is_start_anchored(pattern: &str) -> bool {
    regex_syntax::Parser::new()
        .parse(pattern)
        .map(|h| h.properties().look_set_prefix().contains(Look::Start))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(p: &str) -> Option<String> {
        sample_uri(p, &compile(p, false).unwrap())
    }

    #[test]
    fn samples_match_their_pattern() {
        assert_eq!(sample("^/api/ws/").as_deref(), Some("/api/ws/"));
        assert_eq!(sample("^/(ws|socket)/(.*)$").as_deref(), Some("/ws/"));
        assert_eq!(sample(r"\.(js|css)$").as_deref(), Some("/.js"));
        assert_eq!(sample(r"^/room/\d+/ws$").as_deref(), Some("/room/0/ws"));
        assert_eq!(sample(r"^/[a-z]+/socket").as_deref(), Some("/a/socket"));
    }

    #[test]
    fn literal_prefixes() {
        assert_eq!(anchored_literal_prefix("^/api/ws/"), Some("/api/ws/"));
        assert_eq!(anchored_literal_prefix("^/api/wss?"), Some("/api/ws"));
        assert_eq!(anchored_literal_prefix("/x"), None);
        assert_eq!(anchored_literal("^/api/ws/"), Some("/api/ws/"));
        assert_eq!(anchored_literal("^/api/ws/$"), None);
        assert!(is_start_anchored("^/x"));
        assert!(!is_start_anchored("/x"));
    }
}
