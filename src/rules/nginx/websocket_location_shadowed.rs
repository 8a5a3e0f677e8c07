//! NGX007 websocket-location-shadowed: another location takes the WebSocket location's
//! requests, by nginx's real selection order.

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::{Edit, Fix};
use crate::formats::Format;
use crate::formats::nginx::NginxContext;
use crate::formats::nginx::location::Modifier;
use crate::formats::nginx::model::{WsLocation, WsReason};
use crate::formats::nginx::regex_sample::anchored_literal;
use crate::formats::nginx::tree::NodeId;
use crate::rules::{FixAvailability, Rule, RuleMeta};
use crate::source::Span;

pub static META: RuleMeta = RuleMeta {
    code: "NGX007",
    name: "websocket-location-shadowed",
    format: Some(Format::Nginx),
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    summary: "another location (regex, ^~ or =) serves the WebSocket location's requests",
};

pub struct WebsocketLocationShadowed;

impl<'a> Rule<NginxContext<'a>> for WebsocketLocationShadowed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &NginxContext<'a>, out: &mut Vec<Diagnostic>) {
        for ws in cx.websocket_locations() {
            // A configured path is checked where it is served; a location that only inherits
            // the Upgrade header (`location /` under the server-level idiom) names no
            // WebSocket path, so its pattern says nothing about where the sockets go.
            if matches!(
                ws.reason,
                WsReason::Configured(_) | WsReason::InheritsUpgrade(_)
            ) {
                continue;
            }
            let (Some(uri), Some(server)) = (ws.uri.as_deref(), ws.server) else {
                continue;
            };
            let Some(winner) = cx.select_location(server, uri) else {
                continue;
            };
            if cx.tree.is_descendant(winner, ws.node) {
                continue;
            }
            let (Some(mine), Some(theirs)) =
                (cx.location_pattern(ws.node), cx.location_pattern(winner))
            else {
                continue;
            };
            let why = match theirs.modifier {
                Modifier::Exact => "an exact `=` match ends the search",
                Modifier::PrefixNoRegex => {
                    "it is the longest matching prefix and `^~` stops the regex search"
                }
                Modifier::Regex { .. } if mine.is_regex() => {
                    "regex locations are tried in order and this one comes first"
                }
                Modifier::Regex { .. } => "a matching regex location beats any plain prefix",
                _ => "it is the longest matching prefix",
            };
            out.push(
                META.diag(
                    cx.file(ws.node),
                    cx.header_span(ws.node),
                    format!(
                        "requests for `{uri}` never reach WebSocket {}: nginx serves them from {} at {}",
                        cx.describe(ws.node),
                        cx.describe(winner),
                        cx.position(winner),
                    ),
                )
                .label(cx.file(winner), cx.header_span(winner), format!("serves `{uri}`: {why}"))
                .help(
                    "nginx picks an exact `=` match, else the longest prefix (its order does not \
                     matter), then the first matching regex unless that prefix has `^~`",
                )
                .fix(repair(cx, ws, winner)),
            );
        }
    }
}

/// Makes the WebSocket location win, when one edit can say so with certainty.
fn repair(cx: &NginxContext<'_>, ws: &WsLocation, winner: NodeId) -> Option<Fix> {
    let mine = cx.location_pattern(ws.node)?;
    let theirs = cx.location_pattern(winner)?;
    let file = cx.file(ws.node);
    match (mine.modifier, theirs.modifier) {
        (Modifier::Prefix, Modifier::Regex { .. }) => Some(Fix::unsafe_(
            format!(
                "make it `location ^~ {}` so regexes are not tried",
                mine.path
            ),
            vec![Edit::replace(file, mine.span, format!("^~ {}", mine.path))],
        )),
        // Two WebSocket regexes that each match the other's URIs (the same regex twice,
        // `^/api/ws/` and `^/api/ws/+`): whichever comes first wins, so moving one before
        // the other would only swap them, and the next pass would swap them back.
        (Modifier::Regex { .. }, Modifier::Regex { .. })
            if mine.modifier == theirs.modifier && mine.path == theirs.path
                || cx.websocket_locations().iter().any(|w| {
                    w.node == winner
                        && w.uri
                            .as_deref()
                            .is_some_and(|u| cx.regex_matches(ws.node, u))
                }) =>
        {
            None
        }
        (Modifier::Regex { .. }, Modifier::Regex { .. }) => {
            let parent = cx.tree.parent(ws.node)?;
            if cx.tree.parent(winner)? != parent || cx.file(winner) != file {
                return None;
            }
            let edits = match (cx.own_lines(ws.node), starts_line(cx, winner)) {
                (Some(lines), true) => move_lines(cx, ws.node, winner, lines),
                // A compact layout (`location ~ ^/api/ws/ { … } }`, blocks sharing lines):
                // the block's own bytes move.
                _ => move_bytes(cx, ws.node, winner),
            };
            Some(Fix::unsafe_(
                format!(
                    "move {} before {}",
                    cx.describe(ws.node),
                    cx.describe(winner)
                ),
                edits,
            ))
        }
        (
            Modifier::Regex {
                case_insensitive: false,
            },
            Modifier::PrefixNoRegex,
        ) => {
            let literal = anchored_literal(mine.path)?;
            Some(Fix::unsafe_(
                format!("turn it into the equivalent prefix location `^~ {literal}`"),
                vec![Edit::replace(file, mine.span, format!("^~ {literal}"))],
            ))
        }
        _ => None,
    }
}

/// Whether only indentation comes before `node` on its line.
fn starts_line(cx: &NginxContext<'_>, node: NodeId) -> bool {
    let src = cx.source(node);
    let start = cx.dir(node).span().start;
    src.text[src.line_start(start)..start].trim().is_empty()
}

/// Moves the whole lines of `block` to the line before `before`.
fn move_lines(cx: &NginxContext<'_>, block: NodeId, before: NodeId, lines: Span) -> Vec<Edit> {
    let file = cx.file(block);
    let src = cx.source(block);
    let text = src.slice(lines).to_owned();
    let mut text = if text.ends_with('\n') {
        text
    } else {
        format!("{text}\n")
    };
    // The blank line that separated the blocks moves with the block.
    let lines = match lines.start.checked_sub(1).map(|p| src.line_start(p)) {
        Some(prev) if src.text[prev..lines.start].trim().is_empty() => {
            text.push_str(src.newline());
            Span::new(prev, lines.end)
        }
        _ => lines,
    };
    let at = src.line_start(cx.dir(before).span().start);
    vec![Edit::insert(file, at, text), Edit::delete(file, lines)]
}

/// Moves the bytes of `block` (from `location` to its `}`) to just before `before`. The
/// moved block is followed by a line break and `before`'s indentation when `before` starts
/// its line, else by a space. What is left behind: the spaces before the block go with it
/// when something precedes it on its line; when it starts its line, the spaces after it go,
/// so what followed it (the server's `}`) takes its place.
fn move_bytes(cx: &NginxContext<'_>, block: NodeId, before: NodeId) -> Vec<Edit> {
    let file = cx.file(block);
    let src = cx.source(block);
    let span = cx.dir(block).span();
    let text = src.slice(span);
    let horizontal = |c: char| c == ' ' || c == '\t';
    let gone = if starts_line(cx, block) {
        let after = src.text[span.end..].trim_start_matches(horizontal).len();
        Span::new(span.start, src.text.len() - after)
    } else {
        let kept = src.text[..span.start].trim_end_matches(horizontal).len();
        Span::new(kept, span.end)
    };
    let at = cx.dir(before).span().start;
    let moved = if starts_line(cx, before) {
        let indent = &src.text[src.line_start(at)..at];
        format!("{text}{}{indent}", src.newline())
    } else {
        format!("{text} ")
    };
    vec![Edit::insert(file, at, moved), Edit::delete(file, gone)]
}
