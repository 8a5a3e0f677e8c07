//! fly.toml beyond the generic runners (tests/fixtures.rs, tests/rule_pages.rs): fixtures
//! whose rule has no fix stay untouched, the flyctl corpus, the model on messy real-world
//! shapes, settings from wscfg.toml, CRLF files, and `wscfg fix fly.toml` on a temporary copy.

mod common;

use std::path::{Path, PathBuf};
use wscfg::config::Config;
use wscfg::engine::Session;
use wscfg::formats::Format;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/fly");

fn codes(text: &str, config: Config) -> Vec<&'static str> {
    let mut s = Session::new(config);
    s.add_text("fly.toml".into(), text.to_owned(), Format::Fly);
    s.lint().into_iter().map(|d| d.code).collect()
}

/// What `wscfg fix --unsafe-fixes` makes of a text.
fn fixed(text: &str) -> String {
    let mut s = Session::new(Config::default());
    let id = s.add_text("fly.toml".into(), text.to_owned(), Format::Fly);
    s.fix(true);
    s.db.get(id).text.clone()
}

/// flyctl's own test files (tests/corpus/fly, copied from superfly/flyctl).
fn corpus_files() -> Vec<PathBuf> {
    common::files_under(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/fly"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect()
}

#[test]
fn every_corpus_file_loads() {
    let files = corpus_files();
    assert!(
        files.len() >= 40,
        "expected flyctl's test files, found {}",
        files.len()
    );
    let mut syntax_errors = Vec::new();
    let mut services = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        match wscfg::formats::fly::load(&text, &Default::default()) {
            Ok(doc) => services += doc.services.len(),
            Err(_) => syntax_errors.push(f.clone()),
        }
        // The whole pipeline, fixes included, must not panic either.
        let got = codes(&text, Config::default());
        assert_eq!(got.contains(&"FLY000"), syntax_errors.last() == Some(f));
        let after = fixed(&text);
        assert!(
            wscfg::formats::fly::parses(&after),
            "{}: fix broke the TOML",
            f.display()
        );
    }
    eprintln!(
        "{} corpus files, {services} services, FLY000 on: {syntax_errors:?}",
        files.len()
    );
    // Every flyctl test file is valid TOML (always-invalid-v2.toml is invalid *fly* config).
    assert!(syntax_errors.is_empty(), "{syntax_errors:?}");
    assert!(services >= 30, "the model found only {services} services");
}

#[test]
fn corpus_findings_are_the_known_ones() {
    let files = corpus_files();
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for c in codes(&text, Config::default()) {
            found.push(format!("{} {c}", f.file_name().unwrap().to_string_lossy()));
        }
    }
    assert_eq!(
        found,
        vec![
            // [http_service] takes 80; the [[services]] entry declares port 80 again.
            "full-reference.toml FLY008",
            // handlers = ["https"] (not a handler) with force_https = true.
            "full-reference.toml FLY005",
            "old-format.toml FLY007",
        ]
    );
}

#[test]
fn invalid_toml_is_a_located_fly000() {
    let text = "app = \"x\"\n\n[[services]]\n  internal_port = 8080\n  ports = [\n";
    let mut s = Session::new(Config::default());
    s.add_text("fly.toml".into(), text.into(), Format::Fly);
    let d = s.lint();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "FLY000");
    let at = s.db.get(d[0].file).line_col(d[0].span.start);
    assert!(at.line >= 5, "located at {at:?}");
    assert!(d[0].message.contains("invalid TOML"), "{}", d[0].message);
}

#[test]
fn messy_real_world_shapes_load() {
    let shapes = [
        // No app key, no final newline, non-ASCII comment.
        "# Überwachung — 監視\n[http_service]\n  internal_port = 8080",
        // Strings for numbers, legacy concurrency, singular [mount], [experimental].
        "app = 'x'\n[[services]]\n  internal_port = \"8080\"\n  concurrency = \"20,25\"\n  [[services.ports]]\n    port = \"80\"\n    handlers = [\"http\"]\n[experimental]\n[mount]\n  source = 'data'\n  destination = '/data'\n",
        // [[services.ports]] with no [[services]], empty tables, [[env]] array.
        "[[env]]\nWS_PORT = 10000\n[build]\n[[services.ports]]\n  port = 10000\n  handlers = []\n[processes]\n",
        // A bare number for concurrency (flyctl rejects it), empty [[services]].
        "[[services]]\n[[services]]\n  internal_port = 1\n  concurrency = 20\n  auto_stop_machines = 'sometimes'\n",
        // Inline everything.
        "services = [{ internal_port = 9000, ports = [{ start_port = 10000, end_port = 10010, handlers = ['tls'] }], concurrency = { hard_limit = 5 } }]\n",
        // Dotted keys.
        "[http_service]\ninternal_port = 8080\nconcurrency.type = 'connections'\nconcurrency.hard_limit = 10\nconcurrency.soft_limit = 20\n",
    ];
    for text in shapes {
        let doc = wscfg::formats::fly::load(text, &Default::default())
            .unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
        assert!(!doc.services.is_empty(), "{text:?}: no service found");
        let _ = codes(text, Config::default());
        let after = fixed(text);
        assert!(wscfg::formats::fly::parses(&after));
    }
    // Values are read the way flyctl reads them.
    let doc = wscfg::formats::fly::load(shapes[1], &Default::default()).unwrap();
    let s = &doc.services[0];
    assert_eq!(s.internal_port.as_ref().unwrap().value, 8080);
    assert_eq!(s.ports[0].port.as_ref().unwrap().value, 80);
    let c = s.concurrency.as_ref().unwrap();
    assert_eq!(
        (c.soft(), c.hard(), c.effective_type()),
        (Some(20), Some(25), "requests")
    );
    assert_eq!(doc.mounts.len(), 1);
    assert!(doc.has_experimental);
    let doc = wscfg::formats::fly::load(shapes[2], &Default::default()).unwrap();
    assert!(
        doc.services[0].websocket.is_none(),
        "no internal_port to match WS_PORT"
    );
    let doc = wscfg::formats::fly::load(shapes[4], &Default::default()).unwrap();
    assert_eq!(doc.services[0].ports[0].range(), Some((10000, 10010)));
    let doc = wscfg::formats::fly::load(shapes[5], &Default::default()).unwrap();
    let c = doc.services[0].concurrency.as_ref().unwrap();
    assert_eq!((c.soft(), c.hard()), (Some(20), Some(10)));
    assert_eq!(codes(shapes[5], Config::default()), vec!["FLY004"]);
}

#[test]
fn websocket_ports_from_wscfg_toml_mark_services() {
    let text = "app = \"feed\"\n\n[[services]]\n  internal_port = 8081\n  protocol = \"tcp\"\n\n  [[services.ports]]\n    port = 8443\n    handlers = [\"tls\", \"http\"]\n";
    assert!(codes(text, Config::default()).is_empty());
    let by_internal = Config::from_toml("[fly]\nwebsocket-ports = [8081]\n").unwrap();
    assert_eq!(codes(text, by_internal), vec!["FLY001"]);
    let by_public = Config::from_toml("[fly]\nwebsocket-ports = [8443]\n").unwrap();
    assert_eq!(codes(text, by_public), vec!["FLY001"]);
}

#[test]
fn target_hard_limit_is_configurable() {
    let text = "# websocket fan-out\n[http_service]\n  internal_port = 8080\n  [http_service.concurrency]\n    hard_limit = 60\n    soft_limit = 50\n";
    let config = Config::from_toml("[fly]\ntarget-hard-limit = 5000\n").unwrap();
    let mut s = Session::new(config);
    let id = s.add_text("fly.toml".into(), text.into(), Format::Fly);
    s.fix(true);
    assert_eq!(
        s.db.get(id).text,
        text.replace("= 60\n", "= 5000\n")
            .replace("= 50\n", "= 4000\n")
    );
    let quiet = Config::from_toml("[fly]\nlow-hard-limit = 50\n").unwrap();
    assert!(codes(text, quiet).is_empty());
}

#[test]
fn comments_name_the_service_they_sit_in_or_right_above() {
    let text = "[[services]]\n  internal_port = 8080\n  [[services.ports]]\n    port = 10001\n    handlers = [\"tls\", \"http\"]\n\n# WebSocket server\n[[services]]\n  internal_port = 8081\n  [[services.ports]]\n    port = 10002\n    handlers = [\"tls\", \"http\"]\n";
    let doc = wscfg::formats::fly::load(text, &Default::default()).unwrap();
    assert!(doc.services[0].websocket.is_none());
    assert!(doc.services[1].websocket.is_some());
    // A comment separated from the header by a blank line is not "right above" it.
    let apart = text.replace("# WebSocket server\n", "# WebSocket server\n\n");
    let doc = wscfg::formats::fly::load(&apart, &Default::default()).unwrap();
    assert!(doc.services[1].websocket.is_none());
}

#[test]
fn fix_on_the_command_line_prints_the_diff_and_writes_atomically() {
    let src = Path::new(FIXTURES).join("websocket_port_http_handler");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fly.toml");
    let original = std::fs::read_to_string(src.join("fires_issue_problem_statement.toml")).unwrap();
    let expected =
        std::fs::read_to_string(src.join("fires_issue_problem_statement.fixed.toml")).unwrap();
    std::fs::write(&path, &original).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    }

    let fix = |extra: &[&str]| {
        assert_cmd::Command::cargo_bin("wscfg")
            .unwrap()
            .current_dir(dir.path())
            .args(["fix", "fly.toml", "--color", "never"])
            .args(extra)
            .output()
            .unwrap()
    };

    // Safe fixes only: every fix here is unsafe (FLY001's drops the proxy's headers, the limit
    // and autostop ones change capacity), so nothing is written.
    let out = fix(&[]);
    assert_eq!(out.status.code(), Some(1), "unsafe findings remain");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);

    let out = fix(&["--unsafe-fixes"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("--- a/fly.toml\n+++ b/fly.toml\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n-    handlers = ['tls', 'http']\n"),
        "{stdout}"
    );
    assert!(stdout.contains("\n+    handlers = ['tls']\n"), "{stdout}");
    assert!(stdout.contains("-    force_https = true\n"), "{stdout}");
    assert!(stdout.contains("+    hard_limit = 1000\n"), "{stdout}");
    assert!(
        stdout.contains("+  auto_stop_machines = 'off'\n"),
        "{stdout}"
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), expected);

    // Atomic replacement leaves no temporary file behind and keeps the permissions.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, vec!["fly.toml"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    // A second run has nothing to do.
    let out = fix(&["--unsafe-fixes"]);
    assert!(!String::from_utf8(out.stdout).unwrap().contains("--- a/"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), expected);
}

#[test]
fn crlf_files_are_fixed_in_their_own_line_endings() {
    let dir = Path::new(FIXTURES).join("websocket_port_http_handler");
    let crlf = |p: &str| {
        std::fs::read_to_string(dir.join(p))
            .unwrap()
            .replace('\n', "\r\n")
    };
    let before = crlf("fires_socketio_env_port.toml");
    let expected = crlf("fires_socketio_env_port.fixed.toml");
    assert_eq!(fixed(&before), expected);
    let before = crlf("fires_issue_problem_statement.toml");
    let expected = crlf("fires_issue_problem_statement.fixed.toml");
    assert_eq!(fixed(&before), expected);
}
