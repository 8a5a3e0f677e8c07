//! `location` patterns and nginx's location selection (`ngx_http_core_find_location`).

use super::ast::{Directive, Word};
use super::model::NginxContext;
use super::regex_sample;
use super::tree::{Context, NodeId};
use crate::source::Span;
use rustc_hash::FxHashMap;
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modifier {
    /// `location = /path`
    Exact,
    /// `location /path`
    Prefix,
    /// `location ^~ /path`
    PrefixNoRegex,
    /// `location ~ re` / `location ~* re`
    Regex { case_insensitive: bool },
    /// `location @name`
    Named,
}

#[derive(Clone, Debug)]
pub struct LocationPattern<'a> {
    pub modifier: Modifier,
    pub path: &'a str,
    /// The words `[modifier] path` as written, for edits and labels.
    pub span: Span,
}

impl LocationPattern<'_> {
    pub fn is_prefix(&self) -> bool {
        matches!(self.modifier, Modifier::Prefix | Modifier::PrefixNoRegex)
    }
    pub fn is_regex(&self) -> bool {
        matches!(self.modifier, Modifier::Regex { .. })
    }
    /// `= /ws`, `^~ /api/`, `~* \.php$`, `/ws/` as a user would write it.
    pub fn display(&self) -> String {
        match self.modifier {
            Modifier::Exact => format!("= {}", self.path),
            Modifier::Prefix | Modifier::Named => self.path.to_owned(),
            Modifier::PrefixNoRegex => format!("^~ {}", self.path),
            Modifier::Regex {
                case_insensitive: false,
            } => format!("~ {}", self.path),
            Modifier::Regex {
                case_insensitive: true,
            } => format!("~* {}", self.path),
        }
    }
}

/// Reads `location [=|~|~*|^~] uri` including the glued forms nginx accepts (`=/x`, `~*\.js`).
pub fn pattern(d: &Directive) -> Option<LocationPattern<'_>> {
    let first: &Word = d.args.first()?;
    let span = Span::new(first.span.start, d.args.last()?.span.end);
    let (modifier, path) = match (first.value.as_str(), d.args.get(1)) {
        ("=", Some(p)) => (Modifier::Exact, p.value.as_str()),
        ("^~", Some(p)) => (Modifier::PrefixNoRegex, p.value.as_str()),
        ("~", Some(p)) => (
            Modifier::Regex {
                case_insensitive: false,
            },
            p.value.as_str(),
        ),
        ("~*", Some(p)) => (
            Modifier::Regex {
                case_insensitive: true,
            },
            p.value.as_str(),
        ),
        (v, None) => {
            if let Some(p) = v.strip_prefix("^~") {
                (Modifier::PrefixNoRegex, p)
            } else if let Some(p) = v.strip_prefix("~*") {
                (
                    Modifier::Regex {
                        case_insensitive: true,
                    },
                    p,
                )
            } else if let Some(p) = v.strip_prefix('~') {
                (
                    Modifier::Regex {
                        case_insensitive: false,
                    },
                    p,
                )
            } else if let Some(p) = v.strip_prefix('=') {
                (Modifier::Exact, p)
            } else if v.starts_with('@') {
                (Modifier::Named, v)
            } else {
                (Modifier::Prefix, v)
            }
        }
        _ => return None,
    };
    Some(LocationPattern {
        modifier,
        path,
        span,
    })
}

/// See [`NginxContext::level_index`].
#[derive(Default)]
pub struct LevelIndex<'a> {
    exact: FxHashMap<&'a str, NodeId>,
    prefix: FxHashMap<&'a str, (NodeId, bool)>,
    longest_prefix: usize,
    regexes: Vec<RegexLocation<'a>>,
}

struct RegexLocation<'a> {
    node: NodeId,
    pattern: &'a str,
    case_insensitive: bool,
    /// Literal text the URI must start with (`^/api/` → `/api/`): checked before the regex.
    literal: Option<&'a str>,
}

impl<'a> NginxContext<'a> {
    pub fn location_pattern(&self, loc: NodeId) -> Option<LocationPattern<'a>> {
        self.tree.dir(loc).and_then(pattern)
    }

    /// `location` nodes directly inside `level` (includes expanded).
    pub fn child_locations(&self, level: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.tree
            .children(level)
            .iter()
            .copied()
            .filter(|&c| self.tree.node(c).context == Context::Location)
    }

    /// Whether the regex of a regex location matches `uri`. Patterns wscfg cannot compile
    /// are treated as not matching (and reported by no rule as matching).
    pub fn regex_matches(&self, loc: NodeId, uri: &str) -> bool {
        let Some(p) = self.location_pattern(loc) else {
            return false;
        };
        let Modifier::Regex { case_insensitive } = p.modifier else {
            return false;
        };
        let r = RegexLocation {
            node: loc,
            pattern: p.path,
            case_insensitive,
            literal: regex_sample::anchored_literal_prefix(p.path),
        };
        self.regex_matches_at(&r, uri)
    }

    /// The location nginx picks for `uri` in a server (or any level): exact match first,
    /// then the longest prefix whatever its position, then regexes in order (those nested in
    /// the chosen prefix first) unless that prefix has `^~`.
    pub fn select_location(&self, server: NodeId, uri: &str) -> Option<NodeId> {
        self.find_location(server, uri).1
    }

    /// Returns (search ended with an exact or regex match, chosen location).
    fn find_location(&self, level: NodeId, uri: &str) -> (bool, Option<NodeId>) {
        let index = self.level_index(level);
        if let Some(&exact) = index.exact.get(uri) {
            return (true, Some(exact));
        }
        // The longest prefix location that is a prefix of the URI, whatever its position.
        let longest = (1..=uri.len().min(index.longest_prefix))
            .rev()
            .filter(|&end| uri.is_char_boundary(end))
            .find_map(|end| index.prefix.get(&uri[..end]).copied());
        let mut chosen = None;
        let mut noregex = false;
        if let Some((prefix, no_regex)) = longest {
            noregex = no_regex;
            let (done, nested) = self.find_location(prefix, uri);
            if done {
                return (true, nested);
            }
            chosen = Some(nested.unwrap_or(prefix));
        }
        if !noregex {
            for r in &index.regexes {
                if self.regex_matches_at(r, uri) {
                    let (_, nested) = self.find_location(r.node, uri);
                    return (true, Some(nested.unwrap_or(r.node)));
                }
            }
        }
        (false, chosen)
    }

    /// The locations directly inside a level, arranged for selection: exact and prefix paths
    /// by hash, regexes in order. Built once per level, so asking about many URIs of a server
    /// with thousands of locations stays linear.
    fn level_index(&self, level: NodeId) -> Rc<LevelIndex<'a>> {
        if let Some(index) = self.levels.borrow().get(&level) {
            return Rc::clone(index);
        }
        let mut index = LevelIndex::default();
        for loc in self.child_locations(level) {
            let Some(p) = self.location_pattern(loc) else {
                continue;
            };
            match p.modifier {
                // nginx refuses duplicate locations; the first one is the one to report.
                Modifier::Exact => {
                    index.exact.entry(p.path).or_insert(loc);
                }
                Modifier::Prefix | Modifier::PrefixNoRegex => {
                    index.longest_prefix = index.longest_prefix.max(p.path.len());
                    index
                        .prefix
                        .entry(p.path)
                        .or_insert((loc, p.modifier == Modifier::PrefixNoRegex));
                }
                Modifier::Regex { case_insensitive } => index.regexes.push(RegexLocation {
                    node: loc,
                    pattern: p.path,
                    case_insensitive,
                    literal: regex_sample::anchored_literal_prefix(p.path),
                }),
                Modifier::Named => {}
            }
        }
        let index = Rc::new(index);
        self.levels.borrow_mut().insert(level, Rc::clone(&index));
        index
    }

    fn regex_matches_at(&self, r: &RegexLocation<'_>, uri: &str) -> bool {
        if let Some(lit) = r.literal {
            let fits = uri
                .get(..lit.len())
                .is_some_and(|u| u == lit || r.case_insensitive && u.eq_ignore_ascii_case(lit));
            if !fits {
                return false;
            }
        }
        self.compiled_regex(r.node, r.pattern, r.case_insensitive)
            .is_some_and(|re| re.is_match(uri))
    }

    /// The server block (or server-level fragment root) a node belongs to.
    pub fn server_of(&self, node: NodeId) -> Option<NodeId> {
        self.tree
            .ancestors(node)
            .find(|&a| self.tree.node(a).context == Context::Server)
    }
}

impl NginxContext<'_> {
    /// "`location ~ ^/ws/`", the way messages name a location.
    pub fn describe(&self, loc: NodeId) -> String {
        match self.location_pattern(loc) {
            Some(p) => format!("`location {}`", p.display()),
            None => "this block".to_owned(),
        }
    }
}
