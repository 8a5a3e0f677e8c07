//! `location` patterns and nginx's location selection (`ngx_http_core_find_location`).

use super::ast::{Directive, Word};
use super::model::NginxContext;
use super::regex_sample;
use super::tree::{Context, NodeId};
use crate::source::Span;
use rustc_hash::FxHashMap;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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
    let span = Span::new(first.span().start, d.args.last()?.span().end);
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
            .filter(|&c| self.tree.node(c).context() == Context::Location)
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
        if let Some(lit) = regex_sample::anchored_literal_prefix(p.path) {
            let fits = uri
                .get(..lit.len())
                .is_some_and(|u| u == lit || case_insensitive && u.eq_ignore_ascii_case(lit));
            if !fits {
                return false;
            }
        }
        self.compiled_regex(loc, p.path, case_insensitive)
            .is_some_and(|r| r.is_match(uri))
    }

    /// The location nginx picks for `uri` in a server (or any level): exact match first,
    /// then the longest prefix whatever its position, then regexes in order (those nested in
    /// the chosen prefix first) unless that prefix has `^~`.
    pub fn select_location(&self, server: NodeId, uri: &str) -> Option<NodeId> {
        self.find_location(server, uri).1
    }

    /// Returns (search ended with an exact or regex match, chosen location). Each level's
    /// locations are indexed once and each (level, URI) answered once, so asking about every
    /// location of a server with thousands of them stays close to linear.
    fn find_location(&self, level: NodeId, uri: &str) -> (bool, Option<NodeId>) {
        // A level with a few locations is scanned: cheaper than a lock, a hash and a memo
        // entry, and it keeps no memory (5,000 small servers would hold 4 MB of indexes).
        if self.child_locations(level).nth(SCAN_MAX).is_none() {
            return self.find_location_in(&Level::Scan(level), uri);
        }
        // Looked up by level, then by the borrowed URI: a hit allocates nothing.
        if let Some(&found) = self
            .selection
            .found
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&level)
            .and_then(|by_uri| by_uri.get(uri))
        {
            return found;
        }
        let found = self.find_location_in(&Level::Indexed(self.level_index(level)), uri);
        self.selection
            .found
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(level)
            .or_default()
            .insert(uri.into(), found);
        found
    }

    /// [`Self::find_location`] inside a chosen location: most locations have none nested, and
    /// those answer (no match) without an index or a memo of their own.
    fn find_nested(&self, loc: NodeId, uri: &str) -> (bool, Option<NodeId>) {
        if self.child_locations(loc).next().is_none() {
            return (false, None);
        }
        self.find_location(loc, uri)
    }

    fn find_location_in(&self, level: &Level<'a>, uri: &str) -> (bool, Option<NodeId>) {
        if let Some(exact) = self.exact_location(level, uri) {
            return (true, Some(exact));
        }
        let mut chosen = None;
        let mut noregex = false;
        if let Some((prefix, no_regex)) = self.longest_prefix(level, uri) {
            noregex = no_regex;
            let (done, nested) = self.find_nested(prefix, uri);
            if done {
                return (true, nested);
            }
            chosen = Some(nested.unwrap_or(prefix));
        }
        if !noregex {
            for loc in self.regex_candidates(level, uri) {
                if self.regex_matches(loc, uri) {
                    let (_, nested) = self.find_nested(loc, uri);
                    return (true, Some(nested.unwrap_or(loc)));
                }
            }
        }
        (false, chosen)
    }

    /// The patterns of the locations directly inside a scanned level, in file order.
    fn scanned(&self, level: NodeId) -> impl Iterator<Item = (NodeId, LocationPattern<'a>)> + '_ {
        self.child_locations(level)
            .filter_map(|loc| Some((loc, self.location_pattern(loc)?)))
    }

    /// The first `location = uri`.
    fn exact_location(&self, level: &Level<'a>, uri: &str) -> Option<NodeId> {
        match level {
            Level::Indexed(index) => index.exact.get(uri).copied(),
            Level::Scan(level) => self
                .scanned(*level)
                .find(|(_, p)| p.modifier == Modifier::Exact && p.path == uri)
                .map(|(loc, _)| loc),
        }
    }

    /// The longest prefix location that starts `uri` (the first of equal ones), and whether
    /// it is `^~`.
    fn longest_prefix(&self, level: &Level<'a>, uri: &str) -> Option<(NodeId, bool)> {
        match level {
            // Only the lengths some prefix location has are tried.
            Level::Indexed(index) => index
                .prefix_lens
                .iter()
                .filter(|&&len| len <= uri.len() && uri.is_char_boundary(len))
                .find_map(|&len| index.prefix.get(&uri[..len]).copied()),
            Level::Scan(level) => self
                .scanned(*level)
                .filter(|(_, p)| p.is_prefix() && uri.starts_with(p.path))
                // `max_by_key` keeps the last of equals; nginx keeps the first.
                .fold(
                    None,
                    |best: Option<(NodeId, LocationPattern)>, (loc, p)| match best {
                        Some((_, ref b)) if b.path.len() >= p.path.len() => best,
                        _ => Some((loc, p)),
                    },
                )
                .map(|(loc, p)| (loc, p.modifier == Modifier::PrefixNoRegex)),
        }
    }

    /// The regex locations that may match `uri`, in file order.
    fn regex_candidates(&self, level: &Level<'a>, uri: &str) -> Vec<NodeId> {
        match level {
            Level::Indexed(index) => index.regex_candidates(uri),
            Level::Scan(level) => self
                .scanned(*level)
                .filter(|(_, p)| p.is_regex())
                .map(|(loc, _)| loc)
                .collect(),
        }
    }

    /// The locations directly inside `level`, by kind, built on first use.
    fn level_index(&self, level: NodeId) -> Arc<LevelIndex<'a>> {
        if let Some(i) = self
            .selection
            .levels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&level)
        {
            return Arc::clone(i);
        }
        let mut index = LevelIndex::default();
        for loc in self.child_locations(level) {
            let Some(p) = self.location_pattern(loc) else {
                continue;
            };
            match p.modifier {
                // The first of equal patterns wins, as in a scan in file order.
                Modifier::Exact => {
                    index.exact.entry(p.path).or_insert(loc);
                }
                Modifier::Prefix | Modifier::PrefixNoRegex => {
                    index
                        .prefix
                        .entry(p.path)
                        .or_insert((loc, p.modifier == Modifier::PrefixNoRegex));
                }
                Modifier::Regex { case_insensitive } => {
                    let at = index.regex.len();
                    index.regex.push(loc);
                    match regex_sample::anchored_literal_prefix(p.path) {
                        None => index.regex_anywhere.push(at),
                        Some(lit) if case_insensitive => index
                            .regex_ci
                            .entry(lit.to_ascii_lowercase())
                            .or_default()
                            .push(at),
                        Some(lit) => index.regex_cs.entry(lit).or_default().push(at),
                    }
                }
                Modifier::Named => {}
            }
        }
        index.prefix_lens = index.prefix.keys().map(|p| p.len()).collect();
        index.prefix_lens.sort_unstable_by(|a, b| b.cmp(a));
        index.prefix_lens.dedup();
        index.regex_lens = index
            .regex_cs
            .keys()
            .map(|k| k.len())
            .chain(index.regex_ci.keys().map(String::len))
            .collect();
        index.regex_lens.sort_unstable();
        index.regex_lens.dedup();
        let index = Arc::new(index);
        self.selection
            .levels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(level, Arc::clone(&index));
        index
    }

    /// The server block (or server-level fragment root) a node belongs to.
    pub fn server_of(&self, node: NodeId) -> Option<NodeId> {
        self.tree
            .ancestors(node)
            .find(|&a| self.tree.node(a).context() == Context::Server)
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

/// Levels with at most this many locations are scanned instead of indexed and memoised.
const SCAN_MAX: usize = 16;

/// How the locations of one level are searched.
enum Level<'a> {
    Scan(NodeId),
    Indexed(Arc<LevelIndex<'a>>),
}

/// Memory of location selection for one [`NginxContext`].
#[derive(Default)]
pub struct SelectionCache<'a> {
    levels: Mutex<FxHashMap<NodeId, Arc<LevelIndex<'a>>>>,
    /// By level, then by URI.
    found: Mutex<FxHashMap<NodeId, FxHashMap<Box<str>, Selected>>>,
}

/// (the search ended with an exact or regex match, the chosen location)
type Selected = (bool, Option<NodeId>);

#[derive(Default)]
struct LevelIndex<'a> {
    exact: HashMap<&'a str, NodeId>,
    prefix: HashMap<&'a str, (NodeId, bool)>,
    /// Distinct lengths of the prefixes, longest first.
    prefix_lens: Vec<usize>,
    /// Regex locations in file order.
    regex: Vec<NodeId>,
    /// Positions in `regex` of patterns with no anchored literal prefix: tried for any URI.
    regex_anywhere: Vec<usize>,
    /// Positions in `regex` by anchored literal prefix (`^/ws/`), case-sensitive patterns and
    /// (lower-cased) case-insensitive ones: only those whose prefix starts the URI can match.
    regex_cs: HashMap<&'a str, Vec<usize>>,
    regex_ci: HashMap<String, Vec<usize>>,
    /// Distinct lengths of those prefixes.
    regex_lens: Vec<usize>,
}

impl LevelIndex<'_> {
    /// The regex locations that may match `uri`, in file order: a server with thousands of
    /// regex locations is not scanned whole for every URI.
    fn regex_candidates(&self, uri: &str) -> Vec<NodeId> {
        let mut at: Vec<usize> = self.regex_anywhere.clone();
        for &len in &self.regex_lens {
            let Some(head) = uri.get(..len) else {
                continue;
            };
            at.extend(self.regex_cs.get(head).into_iter().flatten());
            at.extend(
                self.regex_ci
                    .get(&head.to_ascii_lowercase())
                    .into_iter()
                    .flatten(),
            );
        }
        at.sort_unstable();
        at.dedup();
        at.into_iter().map(|i| self.regex[i]).collect()
    }
}
