//! Text edits against nginx files that look as if a person wrote them: new directives go on
//! their own line with their neighbours' indentation and the file's line endings.

use super::model::NginxContext;
use super::tree::NodeId;
use crate::fix::Edit;
use crate::source::{SourceFile, Span};

/// Indents every line of `text` (which may hold several lines) with `indent`.
fn indent_lines(text: &str, indent: &str, newline: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{indent}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join(newline)
}

/// Where a new line goes after the token ending at `pos`: the end of its line when only
/// blanks or a comment follow, else right at `pos`, so the text never lands inside a
/// directive or block that follows on the same line (`a; b {`).
fn end_of_line_after(src: &SourceFile, pos: usize) -> usize {
    let end = src.line_end(pos);
    let tail = src.text[pos..end].trim_start_matches([' ', '\t']);
    if tail.is_empty() || tail.starts_with('#') {
        end
    } else {
        pos
    }
}

/// One level of indentation deeper than `outer`, in the file's own style.
fn deeper(src: &SourceFile, outer: &str) -> String {
    let unit = if outer.contains('\t') || src.tab_indented() {
        "\t"
    } else {
        "    "
    };
    format!("{outer}{unit}")
}

impl NginxContext<'_> {
    /// Adds directives (one or more lines, without indentation) to a block, right after the
    /// last directive named in `after` if the block has one, else after its last simple
    /// directive (before nested blocks), else at the end.
    pub fn insert_into(&self, block: NodeId, after: &[&str], text: &str) -> Edit {
        let src = self.source(block);
        let file = self.file(block);
        let (children, close) = self.physical_children(block);
        let anchor = children
            .iter()
            .rev()
            .find(|c| after.contains(&self.dir(**c).name()))
            .or_else(|| {
                children
                    .iter()
                    .rev()
                    .find(|c| self.dir(**c).block().is_none())
            })
            .or(children.last())
            .map(|&c| self.dir(c).span());
        match anchor {
            Some(a) if !src.same_line(a.end, close) || close == src.text.len() => {
                let indent = src.indentation_at(a.start).to_owned();
                let at = end_of_line_after(src, a.end);
                let nl = src.newline_at(at);
                Edit::insert(file, at, format!("{nl}{}", indent_lines(text, &indent, nl)))
            }
            Some(a) => Edit::insert(file, a.end, format!(" {}", text.replace('\n', " "))),
            None if self
                .tree
                .dir(block)
                .is_some_and(|d| d.block().is_some_and(|b| src.same_line(b.open, b.close))) =>
            {
                Edit::insert(file, close, format!("{} ", text.replace('\n', " ")))
            }
            None => {
                let outer = self.tree.dir(block).map_or(String::new(), |d| {
                    src.indentation_at(d.span().start).to_owned()
                });
                let inner = deeper(src, &outer);
                let at = src.line_start(close);
                let nl = src.newline_at(at);
                Edit::insert(file, at, format!("{}{nl}", indent_lines(text, &inner, nl)))
            }
        }
    }

    /// Adds directives at the end of a block's simple directives.
    pub fn insert_at_end(&self, block: NodeId, text: &str) -> Edit {
        self.insert_into(block, &[], text)
    }

    /// Puts directives first in a block (the http-level `map`), or at the top of a fragment
    /// file when the block is the file itself.
    pub fn insert_at_start(&self, block: NodeId, text: &str) -> Edit {
        let src = self.source(block);
        let file = self.file(block);
        let (children, _) = self.physical_children(block);
        let first = children.first().map(|&c| self.dir(c).span());
        match (self.tree.dir(block), first) {
            (None, Some(first)) => {
                let indent = src.indentation_at(first.start).to_owned();
                let at = src.line_start(first.start);
                let nl = src.newline_at(at);
                Edit::insert(
                    file,
                    at,
                    format!("{}{nl}{nl}", indent_lines(text, &indent, nl)),
                )
            }
            (None, None) => Edit::insert(file, 0, format!("{text}{}", src.newline_at(0))),
            (Some(d), first) => {
                let open = d.block().expect("insert_at_start needs a block").open;
                let indent = match first {
                    Some(f) if !src.same_line(f.start, open) => {
                        src.indentation_at(f.start).to_owned()
                    }
                    _ => deeper(src, src.indentation_at(d.span().start)),
                };
                let at = end_of_line_after(src, open + 1);
                let nl = src.newline_at(at);
                Edit::insert(
                    file,
                    at,
                    format!("{nl}{}{nl}", indent_lines(text, &indent, nl)),
                )
            }
        }
    }

    /// Puts a directive on its own line right after a block's `{`, with no blank line after
    /// it (`ip_hash;` first in an upstream).
    pub fn insert_first(&self, block: NodeId, text: &str) -> Edit {
        let src = self.source(block);
        let d = self.dir(block);
        let open = d.block().expect("insert_first needs a block").open;
        let nl = src.newline_at(open);
        let (children, close) = self.physical_children(block);
        if src.same_line(open, close) {
            return Edit::insert(
                self.file(block),
                open + 1,
                format!(" {}", text.replace('\n', " ")),
            );
        }
        let indent = match children.first().map(|&c| self.dir(c).span()) {
            Some(f) if !src.same_line(f.start, open) => src.indentation_at(f.start).to_owned(),
            _ => deeper(src, src.indentation_at(d.span().start)),
        };
        Edit::insert(
            self.file(block),
            src.line_end(open),
            format!("{nl}{}", indent_lines(text, &indent, nl)),
        )
    }

    /// Replaces one argument of a directive, keeping everything around it.
    pub fn replace_arg(&self, node: NodeId, index: usize, value: &str) -> Option<Edit> {
        let w = self.dir(node).args.get(index)?;
        Some(Edit::replace(self.file(node), w.span(), value))
    }

    /// The whole lines a block or directive occupies (with its line break), if nothing else
    /// shares them: the unit that can be moved elsewhere.
    pub fn own_lines(&self, node: NodeId) -> Option<Span> {
        let src = self.source(node);
        let span = self.dir(node).span();
        let start = src.line_start(span.start);
        if !src.text[start..span.start].trim().is_empty() {
            return None;
        }
        let end = src.line_end(span.end);
        let tail = src.text[span.end..end].trim();
        if !(tail.is_empty() || tail.starts_with('#')) {
            return None;
        }
        let after = end + src.text[end..].find('\n').map_or(0, |n| n + 1);
        Some(Span::new(start, after))
    }

    /// The directives written inside a block in its own file (not through includes),
    /// and the offset where the block ends.
    fn physical_children(&self, block: NodeId) -> (Vec<NodeId>, usize) {
        let file = self.file(block);
        let src = self.source(block);
        let nodes = self
            .tree
            .children(block)
            .iter()
            .copied()
            .filter(|&c| self.file(c) == file)
            .collect();
        let close = self
            .tree
            .dir(block)
            .and_then(|d| d.block())
            .map_or(src.text.len(), |b| b.close);
        (nodes, close)
    }
}

/// The name wscfg gives the Connection variable for an upstream with a keepalive cache.
pub const KEEPALIVE_VAR: &str = "connection_upgrade_keepalive";

/// The `map` that makes `$var` follow the client's Upgrade header (nginx.org, "WebSocket
/// proxying"): `upgrade` for an upgrade request, `close` otherwise. The keepalive variant
/// (`$connection_upgrade_keepalive`) yields an empty value instead of `close`, so nginx sends
/// no Connection header on ordinary requests and keeps the upstream connection for reuse
/// (verified on nginx 1.22.1, see rules/NGX009.md).
pub fn connection_map(var: &str) -> String {
    let empty = if var == KEEPALIVE_VAR { "''" } else { "close" };
    format!("map $http_upgrade ${var} {{\n    default upgrade;\n    ''      {empty};\n}}")
}

impl NginxContext<'_> {
    /// The http block (or http-level fragment root) where maps belong.
    pub fn http_level(&self) -> Option<NodeId> {
        use super::tree::Context;
        if self.root_context() == Context::Http {
            return Some(self.tree.root());
        }
        self.tree
            .all()
            .find(|&n| self.tree.node(n).context() == Context::Http)
    }

    /// Adds the `$var` map at the top of the http level, unless `$var` already exists.
    /// `None` when no http level is visible: the map then belongs in a file wscfg cannot see.
    pub fn connection_map_edit(&self, var: &str) -> Option<Option<Edit>> {
        use super::model::VarSource;
        match self.variable(var) {
            VarSource::Defined(_) | VarSource::Builtin => Some(None),
            VarSource::Unknown | VarSource::Undefined => {
                let http = self.http_level()?;
                Some(Some(self.insert_at_start(http, &connection_map(var))))
            }
        }
    }

    /// The variable a fix puts in `proxy_set_header Connection` for a location, with the map
    /// edit it needs (`None` when the variable already exists). With `keepalive` the variable
    /// must clear the header on ordinary requests: an existing `map $http_upgrade` whose
    /// empty case is `''` is reused, else `$connection_upgrade_keepalive`. `None` when the
    /// map would have to go into a file wscfg cannot see.
    pub fn connection_variable(&self, keepalive: bool) -> Option<(String, Option<Edit>)> {
        let var = if keepalive {
            self.keepalive_connection_map()
                .unwrap_or_else(|| KEEPALIVE_VAR.to_owned())
        } else {
            "connection_upgrade".to_owned()
        };
        let edit = self.connection_map_edit(&var)?;
        Some((var, edit))
    }

    /// A `map $http_upgrade $var { … '' ''; }` already in the configuration: its variable.
    fn keepalive_connection_map(&self) -> Option<String> {
        self.keepalive_map
            .get_or_init(|| self.find_keepalive_connection_map())
            .clone()
    }

    fn find_keepalive_connection_map(&self) -> Option<String> {
        self.tree.all().find_map(|n| {
            let d = self.tree.dir(n)?;
            if d.name() != "map" || d.arg(0) != Some("$http_upgrade") {
                return None;
            }
            let clears = self.tree.children(n).iter().any(|&e| {
                self.tree.dir(e).is_some_and(|e| {
                    e.name().is_empty() && e.args.len() == 1 && e.args[0].value.is_empty()
                })
            });
            let upgrades = self.tree.children(n).iter().any(|&e| {
                self.tree.dir(e).is_some_and(|e| {
                    !e.name().is_empty()
                        && e.arg(0).is_some_and(|v| v.eq_ignore_ascii_case("upgrade"))
                })
            });
            (clears && upgrades)
                .then(|| d.arg(1)?.strip_prefix('$').map(str::to_owned))
                .flatten()
        })
    }

    /// Adds `proxy_set_header` lines to a location. When the location has none of its own,
    /// the headers it inherits are copied first: adding one header to a level that had none
    /// would otherwise silently drop every inherited one.
    pub fn add_headers(&self, loc: NodeId, lines: &[String]) -> Edit {
        let levels = self.header_levels(loc);
        let mut text: Vec<String> = Vec::new();
        if let Some(eff) = levels.first()
            && eff.level != loc
        {
            text.extend(eff.headers.iter().map(|&h| self.text(h).to_owned()));
        }
        text.extend(lines.iter().cloned());
        self.insert_into(loc, &["proxy_set_header"], &text.join("\n"))
    }
}
