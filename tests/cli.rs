//! The command line as users run it: exit codes, output formats, fix writing files, stdin.

use assert_cmd::Command;
use std::fs;
use std::os::unix::fs::PermissionsExt;

const BROKEN: &str = "events {}\nhttp {\n    server {\n        listen 8080;\n        location /ws/ {\n            proxy_pass http://127.0.0.1:9000;\n        }\n    }\n}\n";

fn wscfg() -> Command {
    let mut c = Command::cargo_bin("wscfg").unwrap();
    c.env_remove("NO_COLOR");
    c
}

fn temp_with(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn exit_codes_follow_findings_and_errors() {
    let (_d, path) = temp_with("nginx.conf", BROKEN);
    wscfg().args(["check"]).arg(&path).assert().code(1);
    wscfg()
        .args(["check", "--exit-zero"])
        .arg(&path)
        .assert()
        .code(0);
    let (_d2, clean) = temp_with("nginx.conf", "events {}\nhttp {}\n");
    wscfg().args(["check"]).arg(&clean).assert().code(0);
    wscfg()
        .args(["check", "/definitely/not/here"])
        .assert()
        .code(2);
    wscfg()
        .args(["check", "--select", "NGX999"])
        .arg(&clean)
        .assert()
        .code(2);
}

#[test]
fn concise_output_is_one_line_per_finding() {
    let (_d, path) = temp_with("nginx.conf", BROKEN);
    let out = wscfg()
        .args(["check", "--output-format", "concise"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].ends_with("nginx.conf:5:9: NGX001 [error] `location /ws/` is proxied with HTTP/1.0 (nginx's default before 1.29.7); the WebSocket handshake requires HTTP/1.1 (RFC 6455) and conforming servers refuse it"), "{}", lines[0]);
}

#[test]
fn json_output_has_the_documented_shape() {
    let (_d, path) = temp_with("nginx.conf", BROKEN);
    let out = wscfg()
        .args(["check", "--output-format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["files_checked"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "NGX001");
    assert_eq!(d["name"], "proxy-http-version");
    assert_eq!(d["severity"], "error");
    assert_eq!(
        d["range"]["start"],
        serde_json::json!({"line": 5, "column": 9})
    );
    assert_eq!(
        d["range"]["end"],
        serde_json::json!({"line": 5, "column": 22})
    );
    assert!(d["url"].as_str().unwrap().ends_with("rules/NGX001.md"));
    assert_eq!(d["fix"]["applicability"], "safe");
    assert_eq!(
        d["fix"]["edits"][0]["content"],
        "\n            proxy_http_version 1.1;"
    );
}

#[test]
fn human_output_shows_snippet_label_and_help_without_colour() {
    let (_d, path) = temp_with("nginx.conf", BROKEN);
    let out = wscfg()
        .args(["check", "--color", "never"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("NGX001(proxy-http-version)"), "{text}");
    assert!(text.contains("location /ws/ {"), "{text}");
    assert!(
        text.contains("help: add `proxy_http_version 1.1;`"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "colour codes with --color never");
    let coloured = wscfg()
        .args(["check", "--color", "always"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        String::from_utf8(coloured.stdout)
            .unwrap()
            .contains('\u{1b}')
    );
}

#[test]
fn fix_writes_atomically_keeps_mode_and_prints_diff() {
    let (dir, path) = temp_with("nginx.conf", BROKEN);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    let out = wscfg().arg("fix").arg(&path).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("+            proxy_http_version 1.1;"),
        "{stdout}"
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let fixed = fs::read_to_string(&path).unwrap();
    assert!(fixed.contains("proxy_set_header Connection $connection_upgrade;"));
    assert!(fixed.contains("map $http_upgrade $connection_upgrade {"));
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o640
    );
    let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary files left behind");
    // A second run has nothing to do.
    let again = wscfg().arg("fix").arg(&path).output().unwrap();
    assert!(again.stdout.is_empty() || !String::from_utf8_lossy(&again.stdout).contains("+++"));
    assert_eq!(fs::read_to_string(&path).unwrap(), fixed);
}

#[test]
fn check_diff_previews_and_writes_nothing() {
    let (_d, path) = temp_with("nginx.conf", BROKEN);
    let out = wscfg()
        .args(["check", "--diff", "--output-format", "concise"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("+            proxy_http_version 1.1;")
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), BROKEN);
}

#[test]
fn unsafe_fixes_need_the_flag() {
    let shadowed = "events {}\nhttp {\n    server {\n        listen 8080;\n        location /ws/ {\n            proxy_pass http://127.0.0.1:9000;\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection \"upgrade\";\n            proxy_read_timeout 1h;\n            proxy_send_timeout 1h;\n        }\n        location ~ ^/ {\n            proxy_pass http://127.0.0.1:9001;\n        }\n    }\n}\n";
    let (_d, path) = temp_with("nginx.conf", shadowed);
    let check = wscfg().arg("check").arg(&path).assert().code(1);
    let stderr = String::from_utf8_lossy(&check.get_output().stderr).into_owned();
    assert!(
        stderr.contains("(1 fixable with `wscfg fix --unsafe-fixes`)"),
        "{stderr}"
    );
    wscfg().arg("fix").arg(&path).assert().code(1);
    assert_eq!(fs::read_to_string(&path).unwrap(), shadowed);
    wscfg()
        .args(["fix", "--unsafe-fixes"])
        .arg(&path)
        .assert()
        .code(0);
    assert!(
        fs::read_to_string(&path)
            .unwrap()
            .contains("location ^~ /ws/ {")
    );
}

#[test]
fn stdin_is_read_with_a_format_and_fixed_to_stdout() {
    let out = wscfg()
        .args([
            "check",
            "-",
            "--stdin-format",
            "nginx",
            "--stdin-filename",
            "site.conf",
            "--output-format",
            "concise",
        ])
        .write_stdin(BROKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("site.conf:5:9: NGX001")
    );
    let fixed = wscfg()
        .args([
            "fix",
            "-",
            "--stdin-format",
            "nginx",
            "--output-format",
            "concise",
        ])
        .write_stdin(BROKEN)
        .output()
        .unwrap();
    assert!(
        String::from_utf8(fixed.stdout)
            .unwrap()
            .contains("proxy_http_version 1.1;")
    );
    wscfg()
        .args(["check", "-"])
        .write_stdin(BROKEN)
        .assert()
        .code(2);
}

#[test]
fn a_broken_file_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("nginx.conf"), "events {\n").unwrap();
    fs::create_dir(dir.path().join("conf.d")).unwrap();
    fs::write(
        dir.path().join("conf.d/app.conf"),
        "server {\n listen 80;\n location /ws/ { proxy_pass http://a; }\n}\n",
    )
    .unwrap();
    let out = wscfg()
        .args(["check", "--output-format", "concise"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("nginx.conf:2:1: NGX000 [error] unexpected end of file"),
        "{text}"
    );
    assert!(text.contains("app.conf:3:2: NGX001"), "{text}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn config_file_selects_rules_and_sets_the_nginx_version() {
    let (dir, path) = temp_with("nginx.conf", BROKEN);
    fs::write(
        dir.path().join("wscfg.toml"),
        "ignore = [\"read-timeout-short\"]\n[nginx]\nversion = \"1.29.7\"\n",
    )
    .unwrap();
    let out = wscfg()
        .args(["check", "--output-format", "concise"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains("NGX001"),
        "1.29.7 proxies with HTTP/1.1 by default: {text}"
    );
    assert!(!text.contains("NGX006"), "{text}");
    assert!(text.contains("NGX002"), "{text}");
}

#[test]
fn explain_and_rules() {
    let out = wscfg()
        .args(["explain", "inherited-headers-dropped"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("# NGX004 inherited-headers-dropped")
    );
    wscfg().args(["explain", "NGX999"]).assert().code(2);
    let out = wscfg().args(["rules"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for meta in wscfg::rules::all() {
        assert!(
            text.contains(meta.code) && text.contains(meta.name),
            "{}",
            meta.code
        );
    }
}

#[test]
fn a_reader_that_goes_away_is_not_a_crash() {
    use std::io::Read;
    // Far more output than a pipe buffers, so writing really fails once the reader is gone.
    let servers =
        "server {\n    listen 80;\n    location /ws/ { proxy_pass http://app; }\n}\n".repeat(400);
    let (_d, path) = temp_with("app.conf", &servers);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("wscfg"))
        .args(["check", "--output-format", "json"])
        .arg(&path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The pipe is closed here, like `wscfg check | head -1`.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "findings still decide the exit code: {stderr}"
    );
}

#[test]
fn info_findings_do_not_fail_a_run_unless_asked() {
    let conf = "events {}\nhttp {\n    include /etc/letsencrypt/options-ssl-nginx.conf;\n}\n";
    let (_d, path) = temp_with("nginx.conf", conf);
    let out = wscfg()
        .args(["check", "--output-format", "concise"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("NGX092 [info]"), "{text}");
    assert_eq!(out.status.code(), Some(0), "{text}");
    wscfg()
        .args(["check", "--severity", "info"])
        .arg(&path)
        .assert()
        .code(1);
}

/// nginx accepts bytes that are not UTF-8 (a Latin-1 comment): the file is checked, warned
/// about, and never rewritten, since wscfg's text of it is not its bytes.
#[test]
fn a_latin1_nginx_file_is_checked_but_not_rewritten() {
    let mut bytes = BROKEN
        .replace("location /ws/ {", "location /ws/ { # M\u{1}lln")
        .into_bytes();
    let at = bytes.iter().position(|&b| b == 1).unwrap();
    bytes[at] = 0xf6; // `ö` in Latin-1
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nginx.conf");
    fs::write(&path, &bytes).unwrap();
    let check = wscfg()
        .args(["check", "--output-format", "concise"])
        .arg(&path)
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&check.get_output().stdout).into_owned();
    assert!(
        stdout.contains("nginx.conf:5:28: NGX093 [warning]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("NGX001"),
        "the file is still checked: {stdout}"
    );
    assert!(!stdout.contains("NGX000"), "{stdout}");
    let fix = wscfg().arg("fix").arg(&path).assert().code(1);
    let stderr = String::from_utf8_lossy(&fix.get_output().stderr).into_owned();
    assert!(
        stderr.contains("would edit a file that is not UTF-8"),
        "{stderr}"
    );
    assert_eq!(fs::read(&path).unwrap(), bytes);
}

/// A Latin-1 file reached only through an `include` is read like nginx reads it, not skipped.
#[test]
fn a_latin1_include_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let main = "events {}\nhttp {\n    server {\n        listen 8080;\n        include ws.conf;\n    }\n}\n";
    fs::write(dir.path().join("nginx.conf"), main).unwrap();
    let mut ws = b"# M\xf6lln\n".to_vec();
    ws.extend_from_slice(b"location /ws/ {\n    proxy_pass http://127.0.0.1:9000;\n}\n");
    fs::write(dir.path().join("ws.conf"), &ws).unwrap();
    let check = wscfg()
        .current_dir(dir.path())
        .args(["check", "--output-format", "concise", "nginx.conf"])
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&check.get_output().stdout).into_owned();
    assert!(stdout.contains("ws.conf:1:4: NGX093 [warning]"), "{stdout}");
    assert!(stdout.contains("ws.conf:2:1: NGX001"), "{stdout}");
    assert!(!stdout.contains("NGX090"), "{stdout}");
}

/// `wscfg ARGS` run in `dir`, expecting exit `code`: its standard error.
fn stderr_in(dir: &std::path::Path, args: &[&str], code: i32) -> String {
    let run = wscfg().current_dir(dir).args(args).assert().code(code);
    String::from_utf8_lossy(&run.get_output().stderr).into_owned()
}

#[test]
fn an_error_is_never_followed_by_no_problems_found() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = stderr_in(dir.path(), &["check", "nonexistent.conf"], 2);
    assert!(stderr.contains("nonexistent.conf"), "{stderr}");
    assert!(!stderr.contains("no problems found"), "{stderr}");
}

#[test]
fn a_directory_without_files_wscfg_reads_is_a_warning_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("docs")).unwrap();
    fs::write(dir.path().join("docs/notes.md"), "# notes\n").unwrap();
    let stderr = stderr_in(dir.path(), &["check", "docs"], 2);
    assert!(
        stderr.contains("warning: no files wscfg reads under docs"),
        "{stderr}"
    );
    assert!(!stderr.contains("no problems found"), "{stderr}");
    for flag in ["--exit-zero", "--ignore-unknown"] {
        stderr_in(dir.path(), &["check", flag, "docs"], 0);
    }
}

#[test]
fn fix_counts_what_it_fixed_what_remains_and_what_needs_unsafe_fixes() {
    // NGX001 (safe) and the shadowing regex location (unsafe).
    let text = "events {}\nhttp {\n    server {\n        listen 8080;\n        location /ws/ {\n            proxy_pass http://127.0.0.1:9000;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection \"upgrade\";\n            proxy_read_timeout 1h;\n            proxy_send_timeout 1h;\n        }\n        location ~ ^/ {\n            proxy_pass http://127.0.0.1:9001;\n        }\n    }\n}\n";
    let (_d, path) = temp_with("nginx.conf", text);
    let stderr = stderr_in(path.parent().unwrap(), &["fix", "nginx.conf"], 1);
    assert!(
        stderr.contains(
            "found 2 problem(s) (1 fixed, 1 remaining; 1 more fixable with --unsafe-fixes)"
        ),
        "{stderr}"
    );
}
