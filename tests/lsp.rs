//! `wscfg server` driven over stdio the way an editor drives it: JSON-RPC with Content-Length
//! framing, a real process, bounded waits.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);

/// A broken nginx.conf with non-ASCII text before the insertion points, so UTF-16 and UTF-8
/// columns differ.
const BROKEN: &str = "events {}\nhttp {\n    server {\n        listen 8080;\n        location /ws/ { # ünïcödé 🚀\n            proxy_pass http://127.0.0.1:9000; # → backend 🚀\n        }\n    }\n}\n";

struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: mpsc::Receiver<Value>,
    /// Messages read while waiting for something else.
    backlog: Vec<Value>,
    next_id: i64,
    /// Everything the server sent, for failure messages.
    log: Vec<String>,
}

impl Client {
    fn start(root: &Path, encodings: Option<&[&str]>) -> (Client, Value) {
        let caps = match encodings {
            Some(e) => json!({ "general": { "positionEncodings": e } }),
            None => json!({}),
        };
        Client::start_with(root, caps)
    }

    /// `extra`: client capabilities merged over the default ones.
    fn start_with(root: &Path, extra: Value) -> (Client, Value) {
        let mut c = Client::spawn(Stdio::inherit());
        let root_uri = uri(root);
        let mut caps = json!({
            "workspace": { "workspaceEdit": { "documentChanges": true } },
            "textDocument": { "publishDiagnostics": { "relatedInformation": true } }
        });
        merge(&mut caps, extra);
        let init = c.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "workspaceFolders": [{ "uri": root_uri, "name": "w" }],
                "capabilities": caps,
            }),
        );
        c.notify("initialized", json!({}));
        (c, init)
    }

    /// A server not yet initialised.
    fn spawn(stderr: Stdio) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wscfg"))
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start wscfg server");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.expect("Content-Length header")];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let v: Value = serde_json::from_slice(&body).expect("server sent JSON");
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            rx,
            backlog: Vec::new(),
            next_id: 1,
            log: Vec::new(),
        }
    }

    fn send(&mut self, msg: Value) {
        self.send_all(&[msg]);
    }

    /// Several messages in one write, so the server receives them together.
    fn send_all(&mut self, msgs: &[Value]) {
        let mut out = String::new();
        for m in msgs {
            let body = m.to_string();
            out.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        }
        self.stdin.write_all(out.as_bytes()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn next(&mut self, deadline: Instant, what: &str) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.rx.recv_timeout(left) {
            Ok(v) => {
                self.log.push(v.to_string());
                // Requests from the server (watcher registration) get an empty answer.
                if v.get("method").is_some() && v.get("id").is_some() {
                    let id = v["id"].clone();
                    self.send(json!({ "jsonrpc": "2.0", "id": id, "result": null }));
                }
                v
            }
            Err(_) => panic!(
                "timed out waiting for {what}; the server sent:\n{}",
                self.log.join("\n")
            ),
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + WAIT;
        loop {
            let v = self.next(deadline, &format!("the answer to {method}"));
            if v.get("method").is_none() && v["id"] == json!(id) {
                if let Some(e) = v.get("error") {
                    panic!("{method} failed: {e}");
                }
                return v["result"].clone();
            }
            self.backlog.push(v);
        }
    }

    /// The next diagnostics published for `uri` that satisfy `pred`; earlier ones for that
    /// file are skipped (they describe older versions).
    fn diagnostics_where(&mut self, uri: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        let mut i = 0;
        loop {
            let v = if i < self.backlog.len() {
                i += 1;
                self.backlog[i - 1].clone()
            } else {
                let v = self.next(deadline, &format!("diagnostics for {uri}"));
                self.backlog.push(v.clone());
                i += 1;
                v
            };
            if v["method"] == "textDocument/publishDiagnostics"
                && v["params"]["uri"] == uri
                && pred(&v["params"])
            {
                // Earlier lists for this file are history now; other messages stay.
                let mut k = 0;
                self.backlog.retain(|m| {
                    k += 1;
                    k > i || m["params"]["uri"] != uri
                });
                return v["params"].clone();
            }
        }
    }

    /// A request the server sent to the client so far.
    fn server_request(&self, method: &str) -> Option<Value> {
        self.log
            .iter()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .find(|v| v["method"] == method && v.get("id").is_some())
    }

    fn diagnostics(&mut self, uri: &str, version: i64) -> Value {
        self.diagnostics_where(uri, |p| p["version"] == json!(version))
    }

    fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "server exited with {status}");
                return;
            }
            assert!(
                Instant::now() < deadline,
                "server did not exit after `exit`"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k).or_insert(Value::Null), v);
            }
        }
        (a, b) => *a = b,
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A position as the client computes it: line and UTF-16 (or UTF-8) units before `needle`'s
/// `nth` occurrence.
fn position_of(text: &str, offset: usize, utf8: bool) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = if utf8 {
        offset - line_start
    } else {
        text[line_start..offset].encode_utf16().count()
    };
    json!({ "line": line, "character": col })
}

/// Byte offset of an LSP position, computed the client's way.
fn offset_of(text: &str, pos: &Value, utf8: bool) -> usize {
    let line = pos["line"].as_u64().unwrap() as usize;
    let mut character = pos["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut at = start;
    for c in text[start..].chars() {
        if character == 0 || c == '\n' {
            break;
        }
        let units = if utf8 { c.len_utf8() } else { c.len_utf16() };
        character -= units;
        at += c.len_utf8();
    }
    at
}

/// Applies the text edits of a workspace edit for `uri` to `text`, the way a client does.
fn apply(text: &str, edit: &Value, uri: &str, utf8: bool) -> (String, Vec<Value>) {
    let mut edits: Vec<Value> = Vec::new();
    if let Some(dc) = edit["documentChanges"].as_array() {
        for d in dc {
            assert_eq!(d["textDocument"]["uri"], uri, "edit for another file: {d}");
            edits.extend(d["edits"].as_array().unwrap().iter().cloned());
        }
    } else {
        edits.extend(edit["changes"][uri].as_array().unwrap().iter().cloned());
    }
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset_of(text, &e["range"]["start"], utf8),
                offset_of(text, &e["range"]["end"], utf8),
                e["newText"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_owned();
    for (s, e, t) in spans {
        out.replace_range(s..e, &t);
    }
    (out, edits)
}

fn codes(params: &Value) -> Vec<String> {
    let mut v: Vec<String> = params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_owned())
        .collect();
    v.sort();
    v
}

fn find<'a>(params: &'a Value, code: &str) -> &'a Value {
    params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {params}"))
}

fn open(c: &mut Client, uri: &str, text: &str, version: i64) {
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "nginx", "version": version, "text": text } }),
    );
}

fn change_full(c: &mut Client, uri: &str, text: &str, version: i64) {
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
    );
}

#[test]
fn open_fix_and_clean_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let path = root.join("nginx.conf");
    std::fs::write(&path, BROKEN).unwrap();
    let doc = uri(&path);
    let (mut c, init) = Client::start(&root, None);
    let caps = &init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16", "{init}");
    assert_eq!(caps["hoverProvider"], true);
    assert!(
        caps["codeActionProvider"]["codeActionKinds"]
            .as_array()
            .unwrap()
            .contains(&json!("source.fixAll.wscfg"))
    );

    open(&mut c, &doc, BROKEN, 1);
    let diags = c.diagnostics(&doc, 1);
    let found = codes(&diags);
    for code in ["NGX001", "NGX002", "NGX003", "NGX006"] {
        assert!(found.contains(&code.to_owned()), "{code} missing: {diags}");
    }
    let ngx001 = find(&diags, "NGX001");
    assert_eq!(ngx001["severity"], 1, "errors are severity 1");
    assert_eq!(ngx001["source"], "wscfg");
    assert!(
        ngx001["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/rules/NGX001.md")
    );
    assert!(ngx001["message"].as_str().unwrap().contains("help: "));
    // The primary span is `location /ws/` on line 5.
    let loc = BROKEN.find("location /ws/").unwrap();
    assert_eq!(ngx001["range"]["start"], position_of(BROKEN, loc, false));
    assert_eq!(
        ngx001["range"]["end"],
        position_of(BROKEN, loc + "location /ws/".len(), false)
    );

    // The quick fix for NGX001: one edit at the end of the proxy_pass line, after the
    // emoji, in UTF-16 columns.
    let actions = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": doc },
            "range": ngx001["range"],
            "context": { "diagnostics": [ngx001] }
        }),
    );
    let actions = actions.as_array().unwrap();
    let quick = actions
        .iter()
        .find(|a| {
            a["kind"] == "quickfix"
                && a["diagnostics"][0]["code"] == "NGX001"
                && a["title"].as_str().unwrap().contains("proxy_http_version")
        })
        .unwrap_or_else(|| panic!("no NGX001 quick fix in {actions:?}"));
    assert_eq!(quick["isPreferred"], true, "safe fixes are preferred");
    assert_eq!(
        quick["edit"]["documentChanges"][0]["textDocument"]["version"],
        1
    );
    assert!(
        actions.iter().any(|a| a["kind"] == "source.fixAll.wscfg"),
        "{actions:?}"
    );
    let (fixed_once, edits) = apply(BROKEN, &quick["edit"], &doc, false);
    let line_end = BROKEN.find("🚀\n        }").unwrap() + "🚀".len();
    assert_eq!(
        edits[0]["range"]["start"],
        position_of(BROKEN, line_end, false)
    );
    assert!(fixed_once.contains("backend 🚀\n            proxy_http_version 1.1;\n"));

    // Send it back as an incremental change, as editors do.
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": doc, "version": 2 },
            "contentChanges": [{ "range": edits[0]["range"], "text": edits[0]["newText"] }]
        }),
    );
    let diags = c.diagnostics(&doc, 2);
    let after = codes(&diags);
    assert!(!after.contains(&"NGX001".to_owned()), "{diags}");
    assert!(after.contains(&"NGX002".to_owned()), "{diags}");

    // Hover on the NGX002 diagnostic shows its rule page.
    let ngx002 = find(&diags, "NGX002");
    let hover = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": doc }, "position": ngx002["range"]["start"] }),
    );
    let page = hover["contents"]["value"].as_str().unwrap();
    assert!(page.contains("# NGX002 upgrade-header-missing"), "{page}");

    // Fix all safe problems, apply, and the file is clean.
    let actions = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": doc },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
            "context": { "diagnostics": [], "only": ["source.fixAll"] }
        }),
    );
    let actions = actions.as_array().unwrap();
    assert_eq!(
        actions.len(),
        1,
        "only the fix-all action was asked for: {actions:?}"
    );
    assert_eq!(actions[0]["kind"], "source.fixAll.wscfg");
    let (fixed, _) = apply(&fixed_once, &actions[0]["edit"], &doc, false);
    assert!(fixed.contains("# ünïcödé 🚀"), "comments survive: {fixed}");
    change_full(&mut c, &doc, &fixed, 3);
    let diags = c.diagnostics(&doc, 3);
    assert_eq!(diags["diagnostics"], json!([]), "{fixed}");

    // The same text on disk lints clean with the CLI too.
    std::fs::write(&path, &fixed).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wscfg"))
        .arg("check")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    c.shutdown();
}

#[test]
fn utf8_positions_when_the_client_offers_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let doc = uri(&root.join("nginx.conf"));
    let (mut c, init) = Client::start(&root, Some(&["utf-8", "utf-16"]));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    open(&mut c, &doc, BROKEN, 1);
    let diags = c.diagnostics(&doc, 1);
    let ngx001 = find(&diags, "NGX001");
    let actions = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": doc }, "range": ngx001["range"], "context": { "diagnostics": [] } }),
    );
    let quick = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["diagnostics"][0]["code"] == "NGX001")
        .unwrap()
        .clone();
    let (_, edits) = apply(BROKEN, &quick["edit"], &doc, true);
    let line_end = BROKEN.find("🚀\n        }").unwrap() + "🚀".len();
    assert_eq!(
        edits[0]["range"]["start"],
        position_of(BROKEN, line_end, true)
    );
    // UTF-8 columns are bytes: they differ from the UTF-16 ones on this line.
    assert_ne!(
        position_of(BROKEN, line_end, true),
        position_of(BROKEN, line_end, false)
    );
    c.shutdown();
}

const MAIN: &str = "events {}\nhttp {\n    include conf.d/*.conf;\n}\n";
const WS_BROKEN: &str = "server {\n    listen 8080;\n    location /ws/ {\n        proxy_pass http://127.0.0.1:9000;\n    }\n}\n";
const WS_FIXED: &str = "map $http_upgrade $connection_upgrade {\n    default upgrade;\n    ''      close;\n}\nserver {\n    listen 8080;\n    location /ws/ {\n        proxy_pass http://127.0.0.1:9000;\n        proxy_http_version 1.1;\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection $connection_upgrade;\n        proxy_read_timeout 3600s;\n        proxy_send_timeout 3600s;\n    }\n}\n";

#[test]
fn unsaved_buffers_win_over_disk_for_included_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir(root.join("conf.d")).unwrap();
    std::fs::write(root.join("nginx.conf"), MAIN).unwrap();
    std::fs::write(root.join("conf.d/ws.conf"), WS_BROKEN).unwrap();
    let main = uri(&root.join("nginx.conf"));
    let ws = uri(&root.join("conf.d/ws.conf"));
    let (mut c, _) = Client::start(&root, None);

    // Only nginx.conf is open: the included file is read from disk and its problems are
    // published for it; messages name it relative to the workspace.
    open(&mut c, &main, MAIN, 1);
    let d = c.diagnostics_where(&ws, |p| !p["diagnostics"].as_array().unwrap().is_empty());
    assert!(codes(&d).contains(&"NGX001".to_owned()), "{d}");
    assert_eq!(d["version"], Value::Null, "not open, so no version: {d}");

    // Open the include with an unsaved, fixed buffer: the disk copy no longer counts.
    open(&mut c, &ws, WS_FIXED, 1);
    let d = c.diagnostics(&ws, 1);
    assert_eq!(d["diagnostics"], json!([]), "{d}");

    // Break the buffer again: the include is judged in nginx.conf's context, so the
    // map is expected at http level, where the fix for NGX005 puts it.
    change_full(&mut c, &ws, WS_BROKEN, 2);
    let d = c.diagnostics(&ws, 2);
    assert!(codes(&d).contains(&"NGX002".to_owned()), "{d}");
    c.shutdown();
}

#[test]
fn an_unsaved_buffer_wscfg_does_not_lint_still_feeds_includes() {
    // `snippets/websocket` has no extension: wscfg does not treat it as a file of its own,
    // but nginx.conf includes it, and the editor's unsaved text is what counts.
    let main = "events {}\nhttp {\n    map $http_upgrade $connection_upgrade {\n        default upgrade;\n        ''      close;\n    }\n    server {\n        listen 8080;\n        location /ws/ {\n            proxy_pass http://127.0.0.1:9000;\n            include snippets/websocket;\n        }\n    }\n}\n";
    let headers = "proxy_http_version 1.1;\nproxy_set_header Upgrade $http_upgrade;\nproxy_set_header Connection $connection_upgrade;\nproxy_read_timeout 3600s;\nproxy_send_timeout 3600s;\n";
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir(root.join("snippets")).unwrap();
    std::fs::write(root.join("nginx.conf"), main).unwrap();
    std::fs::write(root.join("snippets/websocket"), "# to do\n").unwrap();
    let main_uri = uri(&root.join("nginx.conf"));
    let snippet = uri(&root.join("snippets/websocket"));
    let (mut c, _) = Client::start(&root, None);
    open(&mut c, &main_uri, main, 1);
    let d = c.diagnostics(&main_uri, 1);
    assert!(codes(&d).contains(&"NGX001".to_owned()), "{d}");
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": snippet, "languageId": "plaintext", "version": 1, "text": headers } }),
    );
    let d = c.diagnostics(&main_uri, 1);
    assert_eq!(
        d["diagnostics"],
        json!([]),
        "the unsaved snippet was not used: {d}"
    );
    c.shutdown();
}

#[test]
fn an_unsaved_requirements_txt_is_what_the_manifest_rules_judge() {
    // railway.toml starts uvicorn; the saved requirements.txt installs no WebSocket
    // implementation (RWY005), the editor's unsaved one does.
    let manifest =
        "[deploy]\nstartCommand = \"uvicorn app.main:app --host 0.0.0.0 --port $PORT\"\n";
    let plain = "fastapi==0.115.6\nuvicorn==0.34.0\n";
    let standard = "fastapi==0.115.6\nuvicorn[standard]==0.34.0\n";
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("railway.toml"), manifest).unwrap();
    std::fs::write(root.join("requirements.txt"), plain).unwrap();
    let railway = uri(&root.join("railway.toml"));
    let requirements = uri(&root.join("requirements.txt"));
    let (mut c, _) = Client::start(&root, None);
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": railway, "languageId": "toml", "version": 1, "text": manifest } }),
    );
    let d = c.diagnostics(&railway, 1);
    assert!(codes(&d).contains(&"RWY005".to_owned()), "{d}");
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": requirements, "languageId": "pip-requirements", "version": 1, "text": standard } }),
    );
    let d = c.diagnostics_where(&railway, |p| !codes(p).contains(&"RWY005".to_owned()));
    assert!(
        !codes(&d).contains(&"RWY005".to_owned()),
        "the unsaved buffer was not used: {d}"
    );
    change_full(&mut c, &requirements, plain, 2);
    let d = c.diagnostics_where(&railway, |p| codes(p).contains(&"RWY005".to_owned()));
    assert!(codes(&d).contains(&"RWY005".to_owned()), "{d}");
}

#[test]
fn a_half_typed_file_keeps_its_other_findings() {
    // The user is typing a directive in the second location: nginx refuses the file, the
    // first location's findings stay, and the location being edited is not said to lack
    // what may yet be typed.
    let typed = "events {}\nhttp {\n    server {\n        listen 8080;\n        location /ws/ {\n            proxy_pass http://127.0.0.1:9000;\n        }\n        location /socket.io/ {\n            proxy_pass http://127.0.0.1:9001;\n            proxy_set_header Upgrade $http_upg\n        }\n    }\n}\n";
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let path = root.join("nginx.conf");
    std::fs::write(&path, BROKEN).unwrap();
    let doc = uri(&path);
    let (mut c, _) = Client::start(&root, None);
    open(&mut c, &doc, BROKEN, 1);
    let before = c.diagnostics(&doc, 1);
    change_full(&mut c, &doc, typed, 2);
    let d = c.diagnostics(&doc, 2);
    let lines = |code: &str| -> Vec<u64> {
        d["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["code"] == code)
            .map(|x| x["range"]["start"]["line"].as_u64().unwrap())
            .collect()
    };
    // On the line of the `}` that ends the unterminated directive, where nginx names it.
    assert_eq!(lines("NGX000"), [10], "{d}");
    for code in ["NGX001", "NGX002", "NGX003", "NGX006"] {
        assert!(codes(&before).contains(&code.to_owned()), "{before}");
        assert_eq!(lines(code), [4], "{code} of `location /ws/` only: {d}");
    }
    c.shutdown();
}

fn without_ngx006(p: &Value) -> bool {
    !p["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "NGX006")
}

#[test]
fn configuration_is_reloaded_when_the_client_reports_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let doc = uri(&root.join("nginx.conf"));
    let toml = uri(&root.join("wscfg.toml"));
    let (mut c, _) = Client::start_with(
        &root,
        json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } }),
    );
    open(&mut c, &doc, BROKEN, 1);
    let d = c.diagnostics(&doc, 1);
    assert!(codes(&d).contains(&"NGX006".to_owned()), "{d}");
    // The server asked the client to watch configuration files (so it does not poll).
    let reg = c
        .server_request("client/registerCapability")
        .expect("the server registers file watchers");
    let watchers = reg["params"]["registrations"][0]["registerOptions"]["watchers"].to_string();
    assert!(watchers.contains("**/wscfg.toml"), "{reg}");

    std::fs::write(
        root.join("wscfg.toml"),
        "ignore = [\"read-timeout-short\"]\n",
    )
    .unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": toml, "type": 1 }] }),
    );
    let d = c.diagnostics_where(&doc, without_ngx006);
    assert!(codes(&d).contains(&"NGX001".to_owned()), "{d}");

    // A broken configuration is reported on the file itself; linting goes on with defaults.
    std::fs::write(root.join("wscfg.toml"), "ignore = [\"NGX999\"]\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": toml, "type": 2 }] }),
    );
    let t = c.diagnostics_where(&toml, |_| true);
    let message = t["diagnostics"][0]["message"].as_str().unwrap();
    assert!(message.contains("NGX999"), "{t}");
    let d = c.diagnostics_where(&doc, |p| !without_ngx006(p));
    assert!(codes(&d).contains(&"NGX001".to_owned()), "{d}");

    // Fixed again: the error on wscfg.toml is withdrawn.
    std::fs::write(root.join("wscfg.toml"), "ignore = [\"NGX006\"]\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": toml, "type": 2 }] }),
    );
    let t = c.diagnostics_where(&toml, |_| true);
    assert_eq!(t["diagnostics"], json!([]), "{t}");
    c.shutdown();
}

#[test]
fn configuration_is_polled_for_clients_that_cannot_watch_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir(root.join("deploy")).unwrap();
    let doc = uri(&root.join("deploy/nginx.conf"));
    let (mut c, _) = Client::start(&root, None);
    open(&mut c, &doc, BROKEN, 1);
    let d = c.diagnostics(&doc, 1);
    assert!(codes(&d).contains(&"NGX006".to_owned()), "{d}");
    assert!(c.server_request("client/registerCapability").is_none());
    // No notification at all: the server notices the new file above the document itself.
    std::fs::write(
        root.join("wscfg.toml"),
        "ignore = [\"read-timeout-short\"]\n",
    )
    .unwrap();
    let d = c.diagnostics_where(&doc, without_ngx006);
    assert!(codes(&d).contains(&"NGX001".to_owned()), "{d}");
    c.shutdown();
}

#[test]
fn a_burst_of_edits_is_analysed_once_at_its_latest_version() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let doc = uri(&root.join("nginx.conf"));
    let (mut c, _) = Client::start(&root, None);
    open(&mut c, &doc, BROKEN, 1);
    c.diagnostics(&doc, 1);
    // Five edits in one write: only the last version is published.
    let burst: Vec<Value> = (2..=6)
        .map(|v| {
            let text = if v == 6 {
                "events {}\nhttp {}\n"
            } else {
                BROKEN
            };
            json!({
                "jsonrpc": "2.0",
                "method": "textDocument/didChange",
                "params": {
                    "textDocument": { "uri": doc, "version": v },
                    "contentChanges": [{ "text": text }]
                }
            })
        })
        .collect();
    c.send_all(&burst);
    let d = c.diagnostics_where(&doc, |_| true);
    assert_eq!(
        d["version"], 6,
        "an intermediate version was published: {d}"
    );
    assert_eq!(d["diagnostics"], json!([]));
    c.shutdown();
}

/// The text a range covers, computed the client's way (UTF-16).
fn text_at<'a>(text: &'a str, range: &Value) -> &'a str {
    &text[offset_of(text, &range["start"], false)..offset_of(text, &range["end"], false)]
}

#[test]
fn labels_become_related_information_and_unsafe_fixes_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/nginx");
    let headers = std::fs::read_to_string(
        fixtures.join("inherited_headers_dropped/fires_host_in_location.conf"),
    )
    .unwrap();
    let shadowed = std::fs::read_to_string(
        fixtures.join("websocket_location_shadowed/fires_regex_beats_prefix.conf"),
    )
    .unwrap();
    let (mut c, _) = Client::start(&root, None);

    let doc = uri(&root.join("headers.conf"));
    open(&mut c, &doc, &headers, 1);
    let d = c.diagnostics(&doc, 1);
    let ngx004 = find(&d, "NGX004");
    let related = ngx004["relatedInformation"]
        .as_array()
        .expect("related information");
    assert!(related.len() >= 2, "{ngx004}");
    for r in related {
        assert_eq!(r["location"]["uri"], doc);
        assert!(
            text_at(&headers, &r["location"]["range"]).starts_with("proxy_set_header"),
            "{r}"
        );
    }
    let messages: Vec<&str> = related
        .iter()
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.contains(&"this proxy_set_header stops inheritance"),
        "{messages:?}"
    );
    assert!(messages.contains(&"not inherited"), "{messages:?}");

    let doc = uri(&root.join("shadowed.conf"));
    open(&mut c, &doc, &shadowed, 1);
    let d = c.diagnostics(&doc, 1);
    let ngx007 = find(&d, "NGX007");
    assert!(
        ngx007["relatedInformation"].as_array().is_some(),
        "{ngx007}"
    );
    let actions = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": doc }, "range": ngx007["range"], "context": { "diagnostics": [] } }),
    );
    let actions = actions.as_array().unwrap();
    let unsafe_fix = actions
        .iter()
        .find(|a| a["diagnostics"][0]["code"] == "NGX007")
        .unwrap_or_else(|| panic!("no NGX007 fix: {actions:?}"));
    assert_eq!(unsafe_fix["isPreferred"], false, "{unsafe_fix}");
    assert!(
        unsafe_fix["title"].as_str().unwrap().contains("unsafe"),
        "{unsafe_fix}"
    );
    // Fix-all applies safe fixes only: with NGX007 the only finding, it has nothing to offer.
    assert_eq!(codes(&d), ["NGX007"], "{d}");
    assert!(
        !actions.iter().any(|a| a["kind"] == "source.fixAll.wscfg"),
        "{actions:?}"
    );
    c.shutdown();
}

#[test]
fn fix_all_is_computed_on_resolve_for_clients_that_resolve_edits() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let doc = uri(&root.join("nginx.conf"));
    let (mut c, init) = Client::start_with(
        &root,
        json!({ "textDocument": { "codeAction": { "resolveSupport": { "properties": ["edit"] } } } }),
    );
    assert_eq!(
        init["capabilities"]["codeActionProvider"]["resolveProvider"],
        true
    );
    open(&mut c, &doc, BROKEN, 1);
    c.diagnostics(&doc, 1);
    let actions = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": doc },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
            "context": { "diagnostics": [] }
        }),
    );
    let all = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "source.fixAll.wscfg")
        .unwrap_or_else(|| panic!("no fix-all action: {actions}"))
        .clone();
    assert!(all.get("edit").is_none(), "edit computed eagerly: {all}");
    let resolved = c.request("codeAction/resolve", all);
    let (fixed, _) = apply(BROKEN, &resolved["edit"], &doc, false);
    change_full(&mut c, &doc, &fixed, 2);
    let d = c.diagnostics(&doc, 2);
    assert_eq!(d["diagnostics"], json!([]), "{fixed}");
    c.shutdown();
}

#[test]
fn every_format_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    // The editor's language ids are generic (toml, yaml): the file name decides.
    let cases = [
        (
            "fly.toml",
            "toml",
            "fly/autostop_drops_sockets/fires_launch_defaults_websocket_app.toml",
            "FLY",
        ),
        (
            "railway.toml",
            "toml",
            "railway/healthcheck_on_websocket_path/fires_ws_path.toml",
            "RWY",
        ),
        (
            "apprunner.yaml",
            "yaml",
            "apprunner/websocket_unsupported/fires_streamlit_run.yaml",
            "APR",
        ),
    ];
    let (mut c, _) = Client::start(&root, None);
    for (name, language, fixture, prefix) in cases {
        let text = std::fs::read_to_string(fixtures.join(fixture)).unwrap();
        let doc = uri(&root.join(name));
        c.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": doc, "languageId": language, "version": 1, "text": text } }),
        );
        let d = c.diagnostics(&doc, 1);
        let list = d["diagnostics"].as_array().unwrap();
        assert!(!list.is_empty(), "{name}: no diagnostics");
        for x in list {
            let code = x["code"].as_str().unwrap();
            assert!(code.starts_with(prefix), "{name}: {x}");
            assert!(
                x["codeDescription"]["href"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("/{code}.md")),
                "{x}"
            );
            let hover = c.request(
                "textDocument/hover",
                json!({ "textDocument": { "uri": doc }, "position": x["range"]["start"] }),
            );
            let page = hover["contents"]["value"].as_str().unwrap_or("");
            assert!(page.contains(&format!("# {code} ")), "{name}: {hover}");
        }
    }
    // Fly's auto-stop fix changes behaviour: offered, labelled unsafe, and it works.
    let fly = uri(&root.join("fly.toml"));
    let text = std::fs::read_to_string(
        fixtures.join("fly/autostop_drops_sockets/fires_launch_defaults_websocket_app.toml"),
    )
    .unwrap();
    let actions = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": fly },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 99, "character": 0 } },
            "context": { "diagnostics": [] }
        }),
    );
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["diagnostics"][0]["code"] == "FLY003")
        .unwrap_or_else(|| panic!("no FLY003 fix: {actions}"))
        .clone();
    assert!(fix["title"].as_str().unwrap().contains("unsafe"), "{fix}");
    assert_eq!(fix["isPreferred"], false);
    let (fixed, _) = apply(&text, &fix["edit"], &fly, false);
    change_full(&mut c, &fly, &fixed, 2);
    let d = c.diagnostics(&fly, 2);
    assert!(!codes(&d).contains(&"FLY003".to_owned()), "{fixed}\n{d}");
    c.shutdown();
}

// ---------------------------------------------------------------------------------------
// Hostile frames (issue 19, point 5): bounded, answered, and the server keeps serving.

impl Client {
    fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    /// The next error answer with `id` (`null` for a frame whose id is unknown).
    fn error_for(&mut self, id: Value) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let v = self.next(deadline, &format!("an error answer with id {id}"));
            if v.get("method").is_none() && v["id"] == id && v.get("error").is_some() {
                return v["error"].clone();
            }
        }
    }

    /// Waits for the process to end; panics if it does not within [`WAIT`].
    fn wait_exit(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not end");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

#[test]
fn an_ill_typed_initialize_is_answered_and_a_good_one_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Client::spawn(Stdio::inherit());
    c.send(json!({ "jsonrpc": "2.0", "id": 7, "method": "initialize",
                   "params": { "processId": "not a number", "capabilities": 3 } }));
    let e = c.error_for(json!(7));
    assert_eq!(e["code"], json!(-32602), "{e}");
    assert!(c.child.try_wait().unwrap().is_none(), "the server ended");
    let root = uri(dir.path());
    let init = c.request(
        "initialize",
        json!({ "processId": null, "rootUri": root, "capabilities": {} }),
    );
    assert_eq!(init["serverInfo"]["name"], "wscfg");
    c.notify("initialized", json!({}));
    c.shutdown();
}

#[test]
fn malformed_frames_and_batches_are_answered_and_serving_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Client::spawn(Stdio::piped());
    let mut stderr = c.child.stderr.take().unwrap();
    let root = uri(dir.path());
    c.request(
        "initialize",
        json!({ "processId": null, "rootUri": root, "capabilities": {} }),
    );
    c.notify("initialized", json!({}));
    // Not JSON, a batch, JSON that is no message, a frame without a length, a header line
    // with no end in sight: each is answered, none is echoed.
    c.send_raw(&frame("{\"SECRET-FRAME\": "));
    assert_eq!(c.error_for(Value::Null)["code"], json!(-32700));
    c.send_raw(&frame(
        r#"[{"jsonrpc":"2.0","id":1,"method":"shutdown","params":"SECRET-FRAME"}]"#,
    ));
    assert_eq!(c.error_for(Value::Null)["code"], json!(-32600));
    c.send_raw(&frame(r#"{"SECRET-FRAME": true}"#));
    assert_eq!(c.error_for(Value::Null)["code"], json!(-32600));
    c.send_raw(b"X-Nothing: 1\r\n\r\n");
    assert_eq!(c.error_for(Value::Null)["code"], json!(-32600));
    let mut long = vec![b'A'; 100_000];
    long.extend_from_slice(b"\r\n\r\n");
    c.send_raw(&long);
    assert_eq!(c.error_for(Value::Null)["code"], json!(-32600));
    // Still serving.
    let hover = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri(&dir.path().join("nginx.conf")) },
                "position": { "line": 0, "character": 0 } }),
    );
    assert!(hover.is_null() || hover.is_object(), "{hover}");
    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    assert!(c.wait_exit().success());
    let mut err = String::new();
    stderr.read_to_string(&mut err).unwrap();
    assert!(!err.contains("SECRET-FRAME"), "{err}");
}

#[test]
fn a_frame_announcing_a_huge_length_is_refused_without_allocating_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Client::spawn(Stdio::inherit());
    let root = uri(dir.path());
    c.request(
        "initialize",
        json!({ "processId": null, "rootUri": root, "capabilities": {} }),
    );
    c.notify("initialized", json!({}));
    c.send_raw(b"Content-Length: 99999999999999\r\n\r\n{}");
    let e = c.error_for(Value::Null);
    assert!(e["message"].as_str().unwrap().contains("over the"), "{e}");
    // It reads past the announced bytes as they come, holding none of them.
    std::thread::sleep(Duration::from_millis(200));
    assert!(c.child.try_wait().unwrap().is_none(), "the server ended");
    let status = std::fs::read_to_string(format!("/proc/{}/status", c.child.id())).unwrap();
    let rss_kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap();
    assert!(rss_kb < 200 * 1024, "{rss_kb} kB resident");
}

/// A small repository as a new user has it: a Node `ws` app, an nginx site and a fly.toml,
/// each with mistakes; the fly.toml's findings need the app code (it is what makes the
/// service a WebSocket one).
fn small_repository(root: &Path) {
    std::fs::create_dir(root.join(".git")).unwrap();
    std::fs::create_dir(root.join("nginx")).unwrap();
    let files = [
        (
            "package.json",
            "{ \"name\": \"chatty\", \"dependencies\": { \"ws\": \"^8.16.0\" } }\n",
        ),
        (
            "server.js",
            "const { WebSocketServer } = require('ws');\nconst http = require('http');\nconst server = http.createServer();\nconst wss = new WebSocketServer({ server });\nwss.on('connection', (ws) => ws.on('message', (m) => ws.send(m)));\nserver.listen(process.env.PORT || 8080);\n",
        ),
        (
            "fly.toml",
            "app = \"chatty\"\nprimary_region = \"ams\"\n\n[http_service]\n  internal_port = 8080\n  force_https = true\n  auto_stop_machines = true\n  auto_start_machines = true\n  min_machines_running = 0\n\n  [http_service.concurrency]\n    type = \"connections\"\n    soft_limit = 20\n    hard_limit = 25\n",
        ),
        (
            "nginx/site.conf",
            "server {\n    listen 80;\n    location /ws {\n        proxy_pass http://127.0.0.1:8080;\n        proxy_set_header Upgrade $http_upgrade;\n    }\n}\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(root.join(name), text).unwrap();
    }
}

/// `wscfg check ARGS` run in `root`: (code, 1-based line) of each finding in `file`.
fn check_findings(root: &Path, args: &[&str], file: &str) -> Vec<(String, u64)> {
    let out = Command::new(env!("CARGO_BIN_EXE_wscfg"))
        .current_dir(root)
        .args(["check", "--output-format", "json"])
        .args(args)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut found: Vec<(String, u64)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"].as_str().unwrap().trim_start_matches("./") == file)
        .map(|d| {
            let line = d["range"]["start"]["line"].as_u64().unwrap();
            (d["code"].as_str().unwrap().to_owned(), line)
        })
        .collect();
    found.sort();
    found
}

#[test]
fn one_verdict_from_check_of_the_project_of_one_file_and_the_editor() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    small_repository(&root);
    let (mut c, _) = Client::start(&root, None);
    for (file, language) in [("fly.toml", "toml"), ("nginx/site.conf", "nginx")] {
        let whole = check_findings(&root, &["."], file);
        let alone = check_findings(&root, &[file], file);
        let path = root.join(file);
        let doc = uri(&path);
        let text = std::fs::read_to_string(&path).unwrap();
        c.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": doc, "languageId": language, "version": 1, "text": text } }),
        );
        let published = c.diagnostics(&doc, 1);
        let mut editor: Vec<(String, u64)> = published["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let line = d["range"]["start"]["line"].as_u64().unwrap() + 1;
                (d["code"].as_str().unwrap().to_owned(), line)
            })
            .collect();
        editor.sort();
        assert!(!whole.is_empty(), "{file}: `check .` finds nothing");
        assert_eq!(alone, whole, "{file}: `check {file}` against `check .`");
        assert_eq!(
            editor, whole,
            "{file}: the language server against `check .`"
        );
    }
    // The findings that need the app code, and none about the files not named.
    let fly = check_findings(&root, &["fly.toml"], "fly.toml");
    let codes: Vec<&str> = fly.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(codes, ["FLY002", "FLY003"]);
    assert!(check_findings(&root, &["fly.toml"], "nginx/site.conf").is_empty());
    c.shutdown();
}
