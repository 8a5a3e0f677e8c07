//! Properties of the nginx parser and the fix engine over generated input (proptest):
//! parsing never panics; a parse accounts for every byte (tokens and trivia concatenate to
//! the input, and reprinting the tokens gives the same tree); a fix changes no byte outside
//! its edits; a fixed file parses, keeps its line endings and final newline; fixing twice
//! changes nothing more.

use proptest::prelude::*;
use std::path::PathBuf;
use wscfg::config::Config;
use wscfg::engine::Session;
use wscfg::fix::{Edit, apply_edits};
use wscfg::formats::Format;
use wscfg::formats::nginx::{parser, template};
use wscfg::fuzzing;
use wscfg::source::{FileId, Span};

/// Pieces of nginx syntax, glued at random: most results are broken, many parse.
fn token_soup() -> impl Strategy<Value = String> {
    let tokens = prop::sample::select(vec![
        "server",
        "location",
        "/ws/",
        "~",
        "^/api/(.*)$",
        "{",
        "}",
        ";",
        " ",
        " ",
        "\t",
        "\n",
        "\n",
        "\r\n",
        "\r",
        "\"",
        "'",
        "\"a b\"",
        "'x;y'",
        "#c\n",
        "# wscfg: context http\n",
        "${x}",
        "$x{",
        "{{ t }}",
        "\\",
        "\\\"",
        "proxy_pass",
        "http://a:1",
        "é",
        "😀",
        "\u{feff}",
        "\0",
        "content_by_lua_block",
        "--",
        "--[[",
        "[[",
        "]]",
        "[==[",
        "map",
        "include",
        "x.conf",
        "http",
        "events",
        "if",
        "(",
        ")",
        "=",
        "listen",
        "80",
    ]);
    prop::collection::vec(tokens, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parse_never_panics_on_any_string(s in any::<String>()) {
        let _ = parser::parse(&s);
        fuzzing::nginx_parse(s.as_bytes());
    }

    #[test]
    fn parse_never_panics_on_any_bytes(b in prop::collection::vec(any::<u8>(), 0..512)) {
        fuzzing::nginx_parse(&b);
    }

    /// `nginx_parse` asserts losslessness and stable reprinting whenever the input parses.
    #[test]
    fn accepted_input_is_reproduced_exactly(s in token_soup()) {
        fuzzing::nginx_parse(s.as_bytes());
        if let Ok(p) = parser::parse(&s) {
            let tokens = template::masked(&s, p.template.as_deref());
            prop_assert!(fuzzing::check_nginx_lossless(&tokens, &p).is_ok());
        }
    }

    #[test]
    fn the_whole_pipeline_holds_on_token_soup(s in token_soup()) {
        fuzzing::nginx_fix(s.as_bytes());
    }
}

/// Text and non-overlapping edits at character boundaries.
fn text_and_edits() -> impl Strategy<Value = (String, Vec<Edit>)> {
    (
        "[a-z{};\n\r é]{0,80}",
        prop::collection::vec(
            (
                any::<prop::sample::Index>(),
                any::<prop::sample::Index>(),
                "[a-z;\n]{0,6}",
            ),
            0..6,
        ),
    )
        .prop_map(|(text, raw)| {
            let bounds: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            let mut spans: Vec<(usize, usize, String)> = raw
                .into_iter()
                .map(|(a, b, c)| {
                    let (x, y) = (a.get(&bounds), b.get(&bounds));
                    (*x.min(y), *x.max(y), c)
                })
                .collect();
            spans.sort();
            let mut edits: Vec<Edit> = Vec::new();
            let mut end = 0usize;
            let mut last_insert: Option<usize> = None;
            for (s, e, c) in spans {
                let span = Span::new(s, e);
                if s < end || last_insert == Some(s) || edits.iter().any(|o| o.span.overlaps(&span))
                {
                    continue;
                }
                if s == e {
                    last_insert = Some(s);
                }
                end = e;
                edits.push(Edit::replace(FileId(0), span, c));
            }
            (text, edits)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn applying_edits_changes_no_byte_outside_them((text, edits) in text_and_edits()) {
        let new = apply_edits(&text, &edits);
        fuzzing::check_untouched_outside(&text, &new, &edits);
        let added: usize = edits.iter().map(|e| e.content.len()).sum();
        let removed: usize = edits.iter().map(|e| e.span.len()).sum();
        prop_assert_eq!(new.len(), text.len() + added - removed);
    }
}

/// A realistic configuration with one WebSocket location that may lack any of the settings
/// the rules check, written in a random style (indent, line endings, final newline, comments).
#[derive(Debug, Clone)]
struct Conf {
    path: &'static str,
    version: Option<&'static str>,
    upgrade: bool,
    connection: Option<&'static str>,
    timeout: Option<&'static str>,
    server_headers: bool,
    map: bool,
    indent: &'static str,
    crlf: bool,
    final_newline: bool,
    comments: bool,
    nested: bool,
}

fn conf() -> impl Strategy<Value = Conf> {
    (
        prop::sample::select(vec![
            "/ws/",
            "/socket.io/",
            "= /cable",
            "~ ^/ws/(.*)$",
            "/api/",
        ]),
        prop::option::of(prop::sample::select(vec!["1.0", "1.1"])),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec![
            "upgrade",
            "\"Upgrade\"",
            "$connection_upgrade",
            "close",
            "$custom_conn",
        ])),
        prop::option::of(prop::sample::select(vec!["30s", "3600s", "1h"])),
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(vec!["    ", "  ", "\t"]),
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |(
                path,
                version,
                upgrade,
                connection,
                timeout,
                server_headers,
                map,
                indent,
                (crlf, final_newline, comments, nested),
            )| Conf {
                path,
                version,
                upgrade,
                connection,
                timeout,
                server_headers,
                map,
                indent,
                crlf,
                final_newline,
                comments,
                nested,
            },
        )
}

fn render(c: &Conf) -> String {
    let i = |n: usize| c.indent.repeat(n);
    let mut lines: Vec<String> = vec!["events {}".into(), "http {".into()];
    if c.map {
        lines.push(format!("{}map $http_upgrade $connection_upgrade {{", i(1)));
        lines.push(format!("{}default upgrade;", i(2)));
        lines.push(format!("{}''      close;", i(2)));
        lines.push(format!("{}}}", i(1)));
    }
    lines.push(format!("{}server {{", i(1)));
    lines.push(format!("{}listen 8080;", i(2)));
    if c.server_headers {
        lines.push(format!("{}proxy_set_header Host $host;", i(2)));
    }
    let depth = if c.nested {
        lines.push(format!("{}location / {{", i(2)));
        3
    } else {
        2
    };
    lines.push(format!("{}location {} {{", i(depth), c.path));
    if c.comments {
        lines.push(format!("{}# the app's socket", i(depth + 1)));
    }
    lines.push(format!("{}proxy_pass http://127.0.0.1:9000;", i(depth + 1)));
    if let Some(v) = c.version {
        lines.push(format!("{}proxy_http_version {v};", i(depth + 1)));
    }
    if c.upgrade {
        lines.push(format!(
            "{}proxy_set_header Upgrade $http_upgrade;",
            i(depth + 1)
        ));
    }
    if let Some(conn) = c.connection {
        lines.push(format!(
            "{}proxy_set_header Connection {conn};",
            i(depth + 1)
        ));
    }
    if let Some(t) = c.timeout {
        lines.push(format!(
            "{}proxy_read_timeout {t};  # long-lived",
            i(depth + 1)
        ));
    }
    lines.push(format!("{}}}", i(depth)));
    if c.nested {
        lines.push(format!("{}}}", i(2)));
    }
    lines.push(format!("{}}}", i(1)));
    lines.push("}".into());
    let nl = if c.crlf { "\r\n" } else { "\n" };
    let mut text = lines.join(nl);
    if c.final_newline {
        text.push_str(nl);
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// `nginx_fix` asserts: valid edits, nothing outside them changed, the fixed file parses
    /// and keeps its line endings and final newline, and a second fix changes nothing.
    #[test]
    fn fixing_realistic_configs_is_safe_and_idempotent(c in conf()) {
        let text = render(&c);
        prop_assert!(parser::parse(&text).is_ok(), "generator made a broken file: {text}");
        fuzzing::nginx_fix(text.as_bytes());

        // And the fixes really happen (so the checks above are not vacuous).
        let mut s = Session::new(Config::default());
        let id = s.add_text(PathBuf::from("/nonexistent/nginx.conf"), text.clone(), Format::Nginx);
        let out = s.fix(true);
        let fixed = &s.db.get(id).text;
        let websocket = c.path != "/api/" || c.upgrade;
        if websocket && !c.upgrade {
            prop_assert!(fixed.contains("proxy_set_header Upgrade $http_upgrade;"), "{fixed}");
            prop_assert!(out.originals.contains_key(&id));
        }
        if out.originals.is_empty() {
            prop_assert_eq!(fixed, &text);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Line and column lookups (indexed, for 10 MB lines) agree with counting by hand.
    #[test]
    fn line_col_and_line_end_agree_with_a_naive_count(text in "[a\\r\\né😀\\t]{0,300}", at in any::<prop::sample::Index>()) {
        let f = wscfg::source::SourceFile::new("x".into(), text.clone());
        let offset = at.index(text.len() + 1);
        let mut o = offset;
        while !text.is_char_boundary(o) {
            o -= 1;
        }
        let before = &text[..o];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..o].chars().count() + 1;
        let lc = f.line_col(offset);
        prop_assert_eq!((lc.line, lc.column), (line, column));
        let mut end = text[o..].find('\n').map_or(text.len(), |i| o + i);
        if end > 0 && text.as_bytes().get(end) == Some(&b'\n') && text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        prop_assert_eq!(f.line_end(o), end);
    }
}

/// Location selection as nginx's `ngx_http_core_find_location` does it, scanning every
/// location: the reference the indexed and memoised `select_location` must agree with.
fn naive_find(
    cx: &wscfg::formats::nginx::NginxContext<'_>,
    level: wscfg::formats::nginx::tree::NodeId,
    uri: &str,
) -> (bool, Option<wscfg::formats::nginx::tree::NodeId>) {
    use wscfg::formats::nginx::location::Modifier;
    let mut longest: Option<(usize, wscfg::formats::nginx::tree::NodeId, bool)> = None;
    for loc in cx.child_locations(level) {
        let Some(p) = cx.location_pattern(loc) else {
            continue;
        };
        match p.modifier {
            Modifier::Exact if p.path == uri => return (true, Some(loc)),
            Modifier::Prefix | Modifier::PrefixNoRegex
                if uri.starts_with(p.path) && longest.is_none_or(|(l, _, _)| p.path.len() > l) =>
            {
                longest = Some((p.path.len(), loc, p.modifier == Modifier::PrefixNoRegex));
            }
            _ => {}
        }
    }
    let mut chosen = None;
    let mut noregex = false;
    if let Some((_, prefix, nr)) = longest {
        noregex = nr;
        let (done, nested) = naive_find(cx, prefix, uri);
        if done {
            return (true, nested);
        }
        chosen = Some(nested.unwrap_or(prefix));
    }
    if !noregex {
        for loc in cx.child_locations(level) {
            if cx.regex_matches(loc, uri) {
                let (_, nested) = naive_find(cx, loc, uri);
                return (true, Some(nested.unwrap_or(loc)));
            }
        }
    }
    (false, chosen)
}

fn location_line() -> impl Strategy<Value = String> {
    let path = prop::sample::select(vec![
        "/", "/ws", "/ws/", "/ws/a", "/api/", "/WS/", "/wsx", "/a/b/",
    ]);
    let regex = prop::sample::select(vec![
        "^/ws/",
        "^/ws",
        "^/WS/",
        "\\.php$",
        "^/api/(.*)$",
        "/ws/a$",
        "^/ws/a/?$",
    ]);
    prop_oneof![
        path.clone().prop_map(|p| format!("location {p} {{ }}")),
        path.clone().prop_map(|p| format!("location = {p} {{ }}")),
        path.clone().prop_map(|p| format!("location ^~ {p} {{ }}")),
        regex.clone().prop_map(|r| format!("location ~ {r} {{ }}")),
        regex.prop_map(|r| format!("location ~* {r} {{ }}")),
        (
            path,
            prop::collection::vec(
                prop::sample::select(vec!["~ ^/ws/a", "= /ws/a", "/ws/a/b", "~* /A$"]),
                0..3
            )
        )
            .prop_map(|(p, inner)| format!(
                "location {p} {{ {} }}",
                inner
                    .iter()
                    .map(|i| format!("location {i} {{ }}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn indexed_location_selection_matches_a_full_scan(
        locs in prop::collection::vec(location_line(), 0..40),
        uris in prop::collection::vec(prop::sample::select(vec!["/", "/ws", "/ws/", "/ws/a", "/ws/a/b", "/WS/a", "/api/x", "/x.php", "/wsx/y", "/a/b/c", "/A"]), 1..8),
    ) {
        use wscfg::formats::nginx::{NginxContext, load, tree};
        let text = format!("events {{}}\nhttp {{\nserver {{\n{}\n}}\n}}\n", locs.join("\n"));
        let mut db = wscfg::source::SourceDb::default();
        let id = db.add(PathBuf::from("/nonexistent/nginx.conf"), text.clone());
        let settings = wscfg::config::NginxSettings::default();
        let loaded = load::load(&mut db, &[id], &settings);
        prop_assume!(loaded.parsed.contains_key(&id));
        let t = tree::Tree::build(&loaded.parsed, &loaded.includes, id, tree::Context::Main);
        let cx = NginxContext::new(t, &db, &settings);
        let server = cx.tree.all().find(|&n| cx.tree.node(n).context() == tree::Context::Server).unwrap();
        for uri in uris {
            prop_assert_eq!(cx.select_location(server, uri), naive_find(&cx, server, uri).1, "{} for {}", text, uri);
        }
    }
}
