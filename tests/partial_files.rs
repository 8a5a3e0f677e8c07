//! nginx files wscfg reads only in part: cut by a syntax error (a file being typed, a
//! truncated copy) or kept as a template. The rules run on every block that parsed; what the
//! file does not show proves nothing, and no fix is written into such a file's unknowns.

use std::path::PathBuf;
use wscfg::config::Config;
use wscfg::engine::Session;
use wscfg::formats::Format;

/// `line CODE fixable?` of every finding.
fn findings(name: &str, text: &str) -> Vec<String> {
    let mut s = Session::new(Config::default());
    s.add_text(PathBuf::from(name), text.to_owned(), Format::Nginx);
    s.lint()
        .iter()
        .map(|d| {
            let line = s.db.get(d.file).line_col(d.span.start).line;
            let fix = if d.fix.is_some() { " fix" } else { "" };
            format!("{line} {}{fix}", d.code)
        })
        .collect()
}

const WS_LOCATION: &str = "server {\n    listen 80;\n    location /ws/ {\n        proxy_pass http://127.0.0.1:9000;\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection \"upgrade\";\n    }\n";

#[test]
fn a_file_truncated_after_a_websocket_location_keeps_its_findings() {
    // The server's `}` is missing: nginx refuses the file at its end, and the location is
    // whole.
    let found = findings("site.conf", WS_LOCATION);
    assert_eq!(found, ["3 NGX001", "3 NGX006", "8 NGX000"], "{found:?}");
    // The same file complete: the same findings, now with their fixes.
    let whole = findings("site.conf", &format!("{WS_LOCATION}}}\n"));
    assert_eq!(whole, ["3 NGX001 fix", "3 NGX006 fix"], "{whole:?}");
}

#[test]
fn a_location_cut_mid_way_is_not_said_to_lack_anything() {
    // Typing stopped inside the location: it may yet get its version and timeout. The other
    // location is judged as usual.
    let text = "server {\n    listen 80;\n    location /chat/ws {\n        proxy_pass http://127.0.0.1:9001;\n    }\n    location /ws/ {\n        proxy_pass http://127.0.0.1:9000;\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection $http_connection\n    }\n}\n";
    let found = findings("site.conf", text);
    assert_eq!(
        found,
        // NGX000 on the line of the `}` that ends the unterminated directive, as nginx says.
        ["3 NGX001", "3 NGX002", "3 NGX003", "3 NGX006", "10 NGX000"],
        "{found:?}"
    );
}

#[test]
fn what_a_location_holds_is_still_judged_when_its_block_is_cut() {
    // A hard-coded `Connection: upgrade` is there whatever follows.
    let text = "map $http_upgrade $connection_upgrade { default upgrade; '' close; }\nserver {\n    location / {\n        proxy_pass http://app;\n        proxy_http_version 1.1;\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection \"upgrade\";\n";
    let mut config = Config::default();
    config
        .push_layer(wscfg::config::Layer {
            select: Some(vec!["ALL".to_owned()]),
            ..Default::default()
        })
        .unwrap();
    let mut s = Session::new(config);
    s.add_text(PathBuf::from("site.conf"), text.to_owned(), Format::Nginx);
    let codes: Vec<&str> = s.lint().iter().map(|d| d.code).collect();
    // NGX000 at the end of the file, where nginx names it.
    assert_eq!(codes, ["NGX008", "NGX000"]);
}

#[test]
fn templates_are_linted_and_their_unknowns_stay_quiet() {
    // A Jinja2 template: the branches read as blank, the placeholder lines stand for
    // directives of the block they are in.
    let text = "server {\n{% if tls %}\n    listen 443 ssl;\n{% else %}\n    listen 80;\n{% endif %}\n    location /ws/ {\n        proxy_pass http://{{ backend }};\n        proxy_http_version {{ http_version }};\n    }\n    location /socket.io/ {\n        proxy_pass http://{{ backend }};\n        {{ websocket_headers | indent(8) }}\n    }\n}\n";
    let found = findings("site.conf.j2", text);
    // /ws/ lacks its headers and timeout in every rendering; its version is the inventory's.
    // /socket.io/ gets directives wscfg cannot see.
    assert_eq!(
        found,
        ["7 NGX002 fix", "7 NGX003 fix", "7 NGX006 fix"],
        "{found:?}"
    );
}

/// tests/templates/: a Go template, a Jinja2 and a Hestia file, each with a WebSocket location
/// that keeps nginx's 60 s read timeout in every rendering. The fix lands outside template
/// syntax, gives the `.fixed.` twin, which lints clean, and fixing it again changes nothing.
/// (They are not under fixtures/: real nginx, which proves every fixture's fix there, reads
/// templates only once rendered; the same fix is proven on plain files.)
#[test]
fn templates_get_their_websocket_findings_and_fixes() {
    for (name, line) in [
        ("go.conf.tmpl", 20),
        ("jinja2.conf.j2", 18),
        ("hestia.stpl", 10),
    ] {
        let path = PathBuf::from("tests/templates").join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            wscfg::formats::Format::detect(&path, true) == Some(Format::Nginx),
            "{name} is not taken for nginx"
        );
        assert_eq!(
            findings(name, &text),
            [format!("{line} NGX006 fix")],
            "{name}"
        );
        let (stem, ext) = name.split_once('.').unwrap();
        let twin =
            std::fs::read_to_string(path.with_file_name(format!("{stem}.fixed.{ext}"))).unwrap();
        let mut s = Session::new(Config::default());
        let file = s.add_text(PathBuf::from(name), text, Format::Nginx);
        s.fix(true);
        assert_eq!(
            s.db.get(file).text,
            twin,
            "{name}: the fix differs from its twin"
        );
        assert!(
            findings(name, &twin).is_empty(),
            "{name}: the fixed file is not clean"
        );
        let mut again = Session::new(Config::default());
        let file = again.add_text(PathBuf::from(name), twin.clone(), Format::Nginx);
        again.fix(true);
        assert_eq!(
            again.db.get(file).text,
            twin,
            "{name}: fixing twice changed it"
        );
    }
}
