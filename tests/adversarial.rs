//! Hostile and broken input, leaks and data loss: every case ends with a clear located
//! diagnostic or error and a normal exit (0, 1 or 2), never a panic, a hang or a stack
//! overflow; nothing outside the checked directory is read; `fix` never loses data.
//!
//! Limits (documented in rules/NGX000.md and README.md): `--max-file-size` (64 MiB),
//! `--max-depth` (256, at most 1024), `--max-includes` (10,000 files read through includes,
//! a file counting each time it is included), `--allow-include-outside-root`,
//! `--follow-symlinks`.
//!
//! Tests run as root here, where file permissions do not stop reads or writes: permission
//! cases then run wscfg as `nobody` through `setpriv`, and the disk-full case mounts a tiny
//! tmpfs in a private mount namespace (`unshare -m`).

use assert_cmd::Command;
use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::time::Duration;

const WS: &str = "events {}\nhttp {\n    server {\n        listen 8080;\n        location /ws/ {\n            proxy_pass http://127.0.0.1:9000;\n        }\n    }\n}\n";

fn wscfg() -> Command {
    let mut c = Command::cargo_bin("wscfg").unwrap();
    c.env("NO_COLOR", "1").timeout(Duration::from_secs(180));
    c
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs wscfg and checks the run ended normally: exit 0, 1 or 2 and no panic.
fn run(cwd: &Path, args: &[&str]) -> Run {
    let out = wscfg().current_dir(cwd).args(args).output().unwrap();
    normal(out)
}

fn normal(out: std::process::Output) -> Run {
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        (0..=2).contains(&r.code),
        "abnormal exit {:?} (killed, timed out or crashed)\nstderr: {}",
        out.status,
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "panic: {}", r.stderr);
    r
}

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(&p, text).unwrap();
    p
}

fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .is_some_and(|l| l.split_whitespace().nth(1) == Some("0"))
}

// ---------------------------------------------------------------------------------------
// Hostile and broken input

#[test]
fn a_hundred_thousand_nested_blocks_are_a_located_error() {
    let d = dir();
    let text = format!(
        "http {{\n{}{}}}\n",
        "location /a {\n".repeat(100_000),
        "}\n".repeat(100_000)
    );
    write(d.path(), "nginx.conf", &text);
    let r = run(
        d.path(),
        &["check", "--output-format", "concise", "nginx.conf"],
    );
    assert_eq!(r.code, 1);
    // http is level 1, so the 256th location is the first over the limit, on line 257.
    assert!(
        r.stdout.contains(
            "nginx.conf:257:13: NGX000 [error] blocks nested deeper than 256 levels (--max-depth)"
        ),
        "{}",
        r.stdout
    );
    let r = run(
        d.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "--max-depth",
            "1024",
            "nginx.conf",
        ],
    );
    assert!(r.stdout.contains("deeper than 1024 levels"), "{}", r.stdout);
    let r = run(d.path(), &["check", "--max-depth", "5000", "nginx.conf"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("between 1 and 1024"), "{}", r.stderr);
}

/// The deepest nesting `--max-depth` allows is linted (nested locations are selected
/// recursively) within a 2 MiB thread stack, the smallest a test thread has.
#[test]
fn the_deepest_allowed_nesting_fits_a_small_stack() {
    let depth = wscfg::workspace::MAX_MAX_DEPTH - 1;
    let mut text = String::from("events {}\nhttp {\nserver {\n");
    text.push_str(&"location /ws/ {\n".repeat(depth - 2));
    text.push_str("proxy_pass http://127.0.0.1:9000;\n");
    text.push_str(&"}\n".repeat(depth - 2));
    text.push_str("}\n}\n");
    let codes = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let mut config = wscfg::config::Config::default();
            config.limits.max_depth = wscfg::workspace::MAX_MAX_DEPTH;
            let mut s = wscfg::engine::Session::new(config);
            s.add_text(
                "/nonexistent/nginx.conf".into(),
                text,
                wscfg::formats::Format::Nginx,
            );
            let diags = s.lint();
            let _ = wscfg::render::human::render(&s.db, &diags, false);
            diags.iter().map(|d| d.code).collect::<Vec<_>>()
        })
        .unwrap()
        .join()
        .expect("linting the deepest allowed nesting overflowed the stack");
    assert!(codes.contains(&"NGX002"), "{codes:?}");
    assert!(!codes.contains(&"NGX000"), "{codes:?}");
}

#[test]
fn a_50_mb_file_is_read_and_located_and_the_size_limit_applies() {
    let d = dir();
    let line = format!("# {}\n", "padding ".repeat(8));
    let n = 50 * 1024 * 1024 / line.len();
    let mut text = String::with_capacity(50 * 1024 * 1024 + 200);
    text.push_str("events {}\nhttp {\n");
    for _ in 0..n {
        text.push_str(&line);
    }
    text.push_str("server { location /ws/ { proxy_pass http://127.0.0.1:9000; } }\n}\n");
    assert!(text.len() >= 50 * 1024 * 1024);
    write(d.path(), "nginx.conf", &text);
    let r = run(
        d.path(),
        &["check", "--output-format", "concise", "nginx.conf"],
    );
    assert_eq!(r.code, 1);
    let expected = format!("nginx.conf:{}:10: NGX002", n + 3);
    assert!(r.stdout.contains(&expected), "{expected} in {}", r.stdout);

    let r = run(
        d.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "--max-file-size",
            "10M",
            "nginx.conf",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("over the 10485760-byte limit (--max-file-size)"),
        "{}",
        r.stdout
    );
    // Nothing of a file over the limit is shown or fixed.
    let r = run(d.path(), &["fix", "--max-file-size", "10M", "nginx.conf"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        fs::metadata(d.path().join("nginx.conf")).unwrap().len() as usize,
        text.len()
    );
}

#[test]
fn a_10_mb_single_line_is_not_printed_per_finding() {
    let d = dir();
    let text = format!(
        "http {{ server {{ location /ws/ {{ proxy_pass http://127.0.0.1:9000; }} }} }} # {}",
        "x".repeat(10 * 1024 * 1024)
    );
    write(d.path(), "nginx.conf", &text);
    let r = run(d.path(), &["check", "nginx.conf"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("NGX002"),
        "{}",
        &r.stdout[..r.stdout.len().min(2000)]
    );
    assert!(
        r.stdout
            .contains("nginx.conf:1:17: here (the line is too long to show)")
    );
    assert!(
        r.stdout.len() < 16 * 1024,
        "printed {} bytes",
        r.stdout.len()
    );

    // Thousands of findings on one long line: each is drawn without the line (miette
    // cannot draw past column 65,535 and used to panic there).
    let unit = "location /ws/ { proxy_pass http://127.0.0.1:9000; } ";
    let text = format!("http {{ server {{ {} }} }}\n", unit.repeat(4000));
    write(d.path(), "many.conf", &text);
    let r = run(d.path(), &["check", "many.conf"]);
    assert_eq!(r.code, 1);
    let findings = r.stdout.matches("NGX002(").count();
    assert_eq!(findings, 4000);
    assert!(
        r.stdout.len() < findings * 5 * 1024,
        "{} bytes",
        r.stdout.len()
    );
}

#[test]
fn invalid_utf8_is_located_and_never_written() {
    let d = dir();
    let mut bytes = WS.as_bytes().to_vec();
    // In the indentation: inside a word, `#` would be part of the word for nginx too.
    bytes.splice(31..31, [b'#', 0xff, 0xfe, b'\n']);
    let p = write(d.path(), "nginx.conf", &bytes);
    let r = run(
        d.path(),
        &["check", "--output-format", "concise", "nginx.conf"],
    );
    assert_eq!(r.code, 1);
    // nginx reads bytes: the file is checked (NGX001 and co.), located, and never written.
    assert!(
        r.stdout.contains("nginx.conf:4:3: NGX093 [warning]")
            && r.stdout
                .contains("is not valid UTF-8 (invalid byte 0xff at offset 32)")
            && r.stdout.contains("NGX001")
            && !r.stdout.contains("NGX000"),
        "{}",
        r.stdout
    );
    run(d.path(), &["fix", "--unsafe-fixes", "nginx.conf"]);
    assert_eq!(fs::read(&p).unwrap(), bytes);
    // TOML must be UTF-8 (toml.io: "A TOML file must be a valid UTF-8 encoded Unicode
    // document"): there it stays a located syntax error.
    let fly = write(d.path(), "fly.toml", b"app = \"chat\"\n# \xff\n");
    let r = run(
        d.path(),
        &["check", "--output-format", "concise", "fly.toml"],
    );
    assert!(
        r.stdout.contains("fly.toml:2:3: FLY000 [error]"),
        "{}",
        r.stdout
    );
    assert_eq!(fs::read(&fly).unwrap(), b"app = \"chat\"\n# \xff\n");
}

#[test]
fn nul_bytes_are_ordinary_characters_and_survive_a_fix() {
    let d = dir();
    let text = WS.replace("listen 8080;", "listen 8080; # a\0b\nset $x \"a\0b\";");
    let p = write(d.path(), "nginx.conf", &text);
    let r = run(d.path(), &["fix", "nginx.conf"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let fixed = fs::read_to_string(&p).unwrap();
    assert!(fixed.contains("# a\0b\n") && fixed.contains("set $x \"a\0b\";"));
    assert!(fixed.contains("proxy_http_version 1.1;"));
}

#[test]
fn a_byte_order_mark_is_kept_and_positions_are_right() {
    let d = dir();
    let text = format!("\u{feff}{WS}");
    let p = write(d.path(), "nginx.conf", &text);
    let r = run(
        d.path(),
        &["check", "--output-format", "concise", "nginx.conf"],
    );
    assert!(r.stdout.contains("nginx.conf:5:9: NGX001"), "{}", r.stdout);
    // nginx reads the mark as part of the first directive's name (`nginx -t`: unknown
    // directive "\u{feff}events"): the fix keeps it, so NGX000 remains.
    assert!(
        r.stdout
            .contains("nginx.conf:1:1: NGX000 [error] unknown directive \"\u{feff}events\""),
        "{}",
        r.stdout
    );
    let r = run(d.path(), &["fix", "nginx.conf"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let fixed = fs::read_to_string(&p).unwrap();
    assert!(fixed.starts_with('\u{feff}') && fixed.contains("proxy_http_version 1.1;"));
}

#[test]
fn ingress_yaml_and_terraform_with_a_byte_order_mark_are_read_and_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for (fixture, name) in [
        (
            "kubernetes/ingress_read_timeout_short/fires_ws_path_no_annotations",
            "ingress.yaml",
        ),
        (
            "aws/alb_idle_timeout_short/fires_terraform_aws_alb_idle_timeout_60",
            "main.tf",
        ),
    ] {
        let ext = Path::new(name).extension().unwrap().to_str().unwrap();
        let text = fs::read_to_string(root.join(format!("{fixture}.{ext}"))).unwrap();
        let fixed = fs::read_to_string(root.join(format!("{fixture}.fixed.{ext}"))).unwrap();
        let (plain, marked) = (dir(), dir());
        write(plain.path(), name, &text);
        let p = write(marked.path(), name, format!("\u{feff}{text}"));
        let args = ["check", "--output-format", "concise", name];
        let want = run(plain.path(), &args);
        let got = run(marked.path(), &args);
        assert_eq!(want.code, 1, "{name}: {}", want.stdout);
        assert_eq!(
            (got.code, got.stdout),
            (want.code, want.stdout),
            "{name}: the same findings at the same places"
        );
        run(marked.path(), &["fix", name]);
        assert_eq!(
            fs::read_to_string(&p).unwrap(),
            format!("\u{feff}{fixed}"),
            "{name}: fixed, the mark kept"
        );
    }
}

#[test]
fn crlf_mixed_endings_and_a_missing_final_newline_are_kept() {
    let d = dir();
    // CRLF throughout, no final newline.
    let crlf = WS.trim_end().replace('\n', "\r\n");
    let p = write(d.path(), "crlf.conf", &crlf);
    assert_eq!(run(d.path(), &["fix", "crlf.conf"]).code, 0);
    let fixed = fs::read_to_string(&p).unwrap();
    assert!(fixed.contains("proxy_http_version 1.1;"));
    assert_eq!(
        fixed.matches('\n').count(),
        fixed.matches("\r\n").count(),
        "{fixed:?}"
    );
    assert!(fixed.ends_with('}'), "final newline added: {fixed:?}");

    // Mixed: every line keeps its ending, and inserted lines take the ending of the line
    // they follow (issue 19: the line a directive was inserted after became CRLF).
    let mixed = "events {}\r\nhttp {\n    server {\r\n        listen 8080;\n        location /ws/ {\r\n            proxy_pass http://127.0.0.1:9000;\n        }\r\n    }\n}\r\n";
    let p = write(d.path(), "mixed.conf", mixed);
    assert_eq!(run(d.path(), &["fix", "mixed.conf"]).code, 0);
    let fixed = fs::read_to_string(&p).unwrap();
    assert!(fixed.contains("proxy_http_version 1.1;"));
    let endings = |t: &str| -> std::collections::HashMap<String, bool> {
        t.split_inclusive('\n')
            .map(|l| (l.trim_end().to_owned(), l.ends_with("\r\n")))
            .collect()
    };
    let after = endings(&fixed);
    for (line, crlf) in endings(mixed) {
        assert_eq!(after[&line], crlf, "{line:?} changed its ending: {fixed:?}");
    }

    // LF only: no CR appears.
    let p = write(d.path(), "lf.conf", WS);
    assert_eq!(run(d.path(), &["fix", "lf.conf"]).code, 0);
    let fixed = fs::read_to_string(&p).unwrap();
    assert!(!fixed.contains('\r') && fixed.ends_with("}\n"));
}

#[test]
fn unterminated_quote_and_block_at_end_of_file_are_located() {
    let d = dir();
    write(
        d.path(),
        "quote.conf",
        "http {\n    server_name \"example.com;\n}\n",
    );
    write(
        d.path(),
        "block.conf",
        "http {\n    server {\n        listen 80;\n",
    );
    let r = run(
        d.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "quote.conf",
            "block.conf",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains(
            "quote.conf:2:17: NGX000 [error] unexpected end of file inside a \"-quoted string"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "block.conf:4:1: NGX000 [error] unexpected end of file, expecting \"}\" to close \"server\" opened on line 2"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn an_include_cycle_is_reported_and_ends() {
    let d = dir();
    write(
        d.path(),
        "nginx.conf",
        "events {}\nhttp {\n    include a.conf;\n}\n",
    );
    write(d.path(), "a.conf", "include b.conf;\n");
    write(
        d.path(),
        "b.conf",
        "include a.conf;\nserver { listen 80; }\n",
    );
    let r = run(
        d.path(),
        &["check", "--output-format", "concise", "nginx.conf"],
    );
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("NGX091"), "{}", r.stdout);
}

#[test]
fn an_include_glob_of_10000_files_is_read_and_the_include_limit_applies() {
    let d = dir();
    write(
        d.path(),
        "nginx.conf",
        "events {}\nhttp {\n    include sites/*.conf;\n}\n",
    );
    for i in 0..10_000 {
        write(
            d.path(),
            &format!("sites/{i:05}.conf"),
            format!("server {{ listen {}; }}\n", 10_000 + i),
        );
    }
    write(
        d.path(),
        "sites/09999.conf",
        "server { location /ws/ { proxy_pass http://127.0.0.1:9000; } }\n",
    );
    let r = run(
        d.path(),
        &["check", "--output-format", "concise", "nginx.conf"],
    );
    // All 10,000 are read (the default limit): the last one's finding is there.
    assert!(r.stdout.contains("09999.conf:1:10: NGX002"), "{}", r.stdout);
    assert!(!r.stdout.contains("--max-includes"), "{}", r.stdout);

    let r = run(
        d.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "--max-includes",
            "100",
            "nginx.conf",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("nginx.conf:3:5: NGX000 [error] this include would bring the files read through includes to 10000, over the limit of 100 (--max-includes)"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("09999.conf"), "{}", r.stdout);
}

/// A few files including each other many times expand to 20^4 splices: the expansion stops at
/// the include limit with a located error instead of growing without bound.
#[test]
fn an_include_explosion_stops_at_the_limit() {
    let d = dir();
    let many = |next: &str| format!("include {next};\n").repeat(20);
    write(
        d.path(),
        "nginx.conf",
        format!("events {{}}\nhttp {{\n{}}}\n", many("a.conf")),
    );
    write(d.path(), "a.conf", many("b.conf"));
    write(d.path(), "b.conf", many("c.conf"));
    write(d.path(), "c.conf", many("d.conf"));
    write(d.path(), "d.conf", "server { listen 80; }\n");
    let r = run(
        d.path(),
        &["check", "--output-format", "concise", "nginx.conf"],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("includes more than 10000 files") && r.stdout.contains("--max-includes"),
        "{}",
        r.stdout
    );
}

#[test]
fn only_regular_files_are_read_fifo_device_directory() {
    let d = dir();
    let fifo = d.path().join("pipe.conf");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    fs::create_dir_all(d.path().join("conf.d/inner")).unwrap();
    symlink("/dev/zero", d.path().join("zero.conf")).unwrap();
    write(
        d.path(),
        "nginx.conf",
        "events {}\nhttp {\n    include pipe.conf;\n    include conf.d;\n    include zero.conf;\n    include /dev/zero;\n}\n",
    );
    let r = run(
        d.path(),
        &["check", "--output-format", "concise", "nginx.conf"],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("nginx.conf:3:5: NGX090 [warning]")
            && r.stdout.contains("pipe.conf is not a regular file"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("nginx.conf:4:5: NGX090")
            && r.stdout.contains("conf.d is not a regular file"),
        "{}",
        r.stdout
    );
    // A link to a device and the device itself are outside the checked directory.
    assert!(
        r.stdout
            .contains("nginx.conf:5:5: NGX092 [info] `include zero.conf` resolves to /dev/zero"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("nginx.conf:6:5: NGX092 [info] `include /dev/zero` resolves to /dev/zero"),
        "{}",
        r.stdout
    );
    let r = run(
        d.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "--allow-include-outside-root",
            "nginx.conf",
        ],
    );
    assert!(
        r.stdout.contains("nginx.conf:5:5: NGX090")
            && r.stdout
                .contains("zero.conf is under /dev, which is never read"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("nginx.conf:6:5: NGX090")
            && r.stdout
                .contains("/dev/zero is under /dev, which is never read"),
        "{}",
        r.stdout
    );
    // Named on the command line, or met in a walk: never opened either.
    let r = run(d.path(), &["check", "pipe.conf"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("pipe.conf: not a regular file"),
        "{}",
        r.stderr
    );
    let r = run(d.path(), &["check", "--output-format", "concise", "."]);
    assert_eq!(r.code, 1);
}

#[test]
fn symlink_loops_end_with_a_message() {
    let d = dir();
    symlink("b.conf", d.path().join("a.conf")).unwrap();
    symlink("a.conf", d.path().join("b.conf")).unwrap();
    fs::create_dir(d.path().join("sub")).unwrap();
    symlink("..", d.path().join("sub/up")).unwrap();
    write(
        d.path(),
        "nginx.conf",
        "events {}\nhttp {\n    include a.conf;\n}\n",
    );
    let r = run(d.path(), &["check", "--output-format", "concise", "."]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains("nginx.conf:3:5: NGX090")
            && r.stdout.contains("Too many levels of symbolic links"),
        "{}",
        r.stdout
    );
    let r = run(
        d.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "--follow-symlinks",
            ".",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.to_lowercase().contains("loop") || r.stderr.contains("Too many levels"),
        "{}",
        r.stderr
    );
    let r = run(d.path(), &["check", "a.conf"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("Too many levels of symbolic links"),
        "{}",
        r.stderr
    );
}

/// Runs the wscfg binary as `nobody` when the tests run as root (root reads and writes
/// whatever the permissions say). The binary is copied where `nobody` can run it.
fn as_unprivileged(d: &Path, args: &[&str]) -> Run {
    if !is_root() {
        return run(d, args);
    }
    // One copy where `nobody` can run it (the build directory may not be reachable). Other
    // test threads fork while it is written, so its first runs may meet ETXTBSY: retried.
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let bin = BIN.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("wscfg-nobody-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        let bin = dir.join("wscfg");
        fs::copy(assert_cmd::cargo::cargo_bin("wscfg"), &bin).unwrap();
        fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).unwrap();
        bin
    });
    let mut tries = 0;
    let out = loop {
        let out = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin)
            .args(args)
            .current_dir(d)
            .env("NO_COLOR", "1")
            .output()
            .expect("setpriv (util-linux) runs wscfg as nobody");
        let busy = String::from_utf8_lossy(&out.stderr).contains("Text file busy");
        tries += 1;
        if !busy || tries > 100 {
            break out;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    normal(out)
}

#[test]
fn an_unreadable_file_is_reported_and_the_others_are_checked() {
    let d = dir();
    fs::set_permissions(d.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::create_dir(d.path().join("secret")).unwrap();
    fs::set_permissions(d.path().join("secret"), fs::Permissions::from_mode(0o755)).unwrap();
    let secret = write(d.path(), "secret/nginx.conf", WS);
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).unwrap();
    let unknown = write(d.path(), "unknown.conf", WS);
    fs::set_permissions(&unknown, fs::Permissions::from_mode(0o000)).unwrap();
    let open = write(d.path(), "open.conf", WS);
    fs::set_permissions(&open, fs::Permissions::from_mode(0o644)).unwrap();
    let r = as_unprivileged(
        d.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "secret/nginx.conf",
            "open.conf",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains(
            "secret/nginx.conf:1:1: NGX000 [error] cannot read secret/nginx.conf: Permission denied"
        ),
        "{}",
        r.stdout
    );
    // A file whose name does not say nginx cannot be recognised without reading it.
    let r = as_unprivileged(d.path(), &["check", "unknown.conf", "open.conf"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("cannot read unknown.conf: Permission denied"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout.contains("NGX001") && r.stdout.contains("open.conf:5:9"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_directory_named_nginx_conf_is_walked_not_read() {
    let d = dir();
    write(
        d.path(),
        "nginx.conf/site.conf",
        "server {\n    location /ws/ {\n        proxy_pass http://127.0.0.1:9000;\n    }\n}\n",
    );
    write(
        d.path(),
        "main.conf",
        "events {}\nhttp {\n    include nginx.conf;\n}\n",
    );
    let r = run(d.path(), &["check", "--output-format", "concise", "."]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("site.conf:2:5: NGX001"), "{}", r.stdout);
    assert!(
        r.stdout.contains("main.conf:3:5: NGX090")
            && r.stdout.contains("nginx.conf is not a regular file"),
        "{}",
        r.stdout
    );
    let r = run(
        d.path(),
        &["check", "--output-format", "concise", "nginx.conf"],
    );
    assert!(r.stdout.contains("site.conf:2:5: NGX001"), "{}", r.stdout);
}

#[test]
fn a_file_changing_while_read_never_panics() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let d = dir();
    let path = write(d.path(), "nginx.conf", WS);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (path, stop) = (path.clone(), stop.clone());
        let long = format!("# é{}\n{WS}", "ü".repeat(50_000));
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                // Truncate-and-write: readers see empty, partial (even mid-character) or whole.
                fs::write(
                    &path,
                    if n.is_multiple_of(2) {
                        long.as_str()
                    } else {
                        WS
                    },
                )
                .unwrap();
                n += 1;
            }
            n
        })
    };
    let mut outcomes = std::collections::BTreeSet::new();
    for _ in 0..300 {
        let mut s = wscfg::engine::Session::new(Default::default());
        s.add_file(path.clone(), wscfg::formats::Format::Nginx);
        let diags = s.lint();
        let _ = wscfg::render::human::render(&s.db, &diags, false);
        let _ = s.fix(true);
        outcomes.insert(diags.iter().any(|d| d.code == "NGX000"));
    }
    stop.store(true, Ordering::Relaxed);
    assert!(writer.join().unwrap() > 0);
    assert!(outcomes.contains(&false), "never read a whole file");
}

// ---------------------------------------------------------------------------------------
// Nothing leaked

/// A directory beside the checked one holds a "secret" whose text would show in a syntax
/// error if it were read.
fn with_secret_outside() -> (tempfile::TempDir, PathBuf) {
    let d = dir();
    write(d.path(), "outside/secret.conf", "TOP-SECRET-TOKEN {\n");
    let repo = d.path().join("repo");
    fs::create_dir(&repo).unwrap();
    (d, repo)
}

#[test]
fn includes_outside_the_checked_directory_are_not_read() {
    let (d, repo) = with_secret_outside();
    let abs = d.path().join("outside/secret.conf");
    symlink(&abs, repo.join("link.conf")).unwrap();
    symlink(d.path().join("outside"), repo.join("linkdir")).unwrap();
    write(
        &repo,
        "nginx.conf",
        format!(
            "events {{}}\nhttp {{\n    include ../outside/secret.conf;\n    include {};\n    include link.conf;\n    include ../outside/*.conf;\n    include linkdir/*.conf;\n    include /etc/shadow;\n}}\n",
            abs.display()
        ),
    );
    for args in [
        vec!["check", "--output-format", "concise", "nginx.conf"],
        vec!["check", "--output-format", "concise", "."],
        vec!["check", "--output-format", "json", "."],
        vec!["check", "."],
    ] {
        let r = run(&repo, &args);
        assert!(
            !r.stdout.contains("TOP-SECRET") && !r.stderr.contains("TOP-SECRET"),
            "{}",
            r.stdout
        );
        assert!(r.stdout.contains("NGX092"), "{}", r.stdout);
    }
    let r = run(
        &repo,
        &["check", "--output-format", "concise", "nginx.conf"],
    );
    for line in 3..=8 {
        assert!(
            r.stdout
                .contains(&format!("nginx.conf:{line}:5: NGX092 [info]")),
            "line {line}: {}",
            r.stdout
        );
    }
    assert!(r.stdout.contains("`include /etc/shadow` resolves to /etc/shadow, outside the checked directory; it was not read"), "{}", r.stdout);
    // Opting in reads them.
    let r = run(
        &repo,
        &[
            "check",
            "--output-format",
            "concise",
            "--allow-include-outside-root",
            "nginx.conf",
        ],
    );
    assert!(
        r.stdout.contains("secret.conf") && r.stdout.contains("NGX000"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("NGX092"), "{}", r.stdout);
    // ... and judges them without quoting them, in every output format.
    for format in ["human", "concise", "json", "sarif", "github", "junit"] {
        let r = run(
            &repo,
            &[
                "check",
                "--output-format",
                format,
                "--allow-include-outside-root",
                "nginx.conf",
            ],
        );
        assert!(r.stdout.contains("NGX000"), "{format}: {}", r.stdout);
        assert!(
            !r.stdout.contains("TOP-SECRET") && !r.stderr.contains("TOP-SECRET"),
            "{format}: {}",
            r.stdout
        );
    }
}

#[test]
fn a_checked_file_named_outside_the_current_directory_has_its_own_root() {
    let (d, repo) = with_secret_outside();
    write(
        &repo,
        "nginx.conf",
        "events {}\nhttp {\n    include ../outside/secret.conf;\n    include conf.d/*.conf;\n}\n",
    );
    write(
        &repo,
        "conf.d/app.conf",
        "server { location /ws/ { proxy_pass http://127.0.0.1:9000; } }\n",
    );
    // Run from elsewhere: the root is the named file's directory.
    let cwd = dir();
    let r = run(
        cwd.path(),
        &[
            "check",
            "--output-format",
            "concise",
            repo.join("nginx.conf").to_str().unwrap(),
        ],
    );
    // The unread http-level include may set the headers (so no NGX002); NGX001 still reports,
    // naming the include it depends on.
    assert!(r.stdout.contains("app.conf:1:10: NGX001"), "{}", r.stdout);
    assert!(
        r.stdout.contains("NGX092") && !r.stdout.contains("TOP-SECRET"),
        "{}",
        r.stdout
    );
    drop(d);
}

/// Output shows the lines a finding points at (and one line of context around them), never
/// other lines of the file.
#[test]
fn output_shows_only_the_lines_findings_point_at() {
    let d = dir();
    let mut text = String::from("events {}\nhttp {\n");
    for i in 0..200 {
        text.push_str(&format!("    # private-note-{i}\n"));
    }
    text.push_str("    server {\n        location /ws/ {\n            proxy_pass http://127.0.0.1:9000;\n        }\n    }\n");
    for i in 200..400 {
        text.push_str(&format!("    # private-note-{i}\n"));
    }
    text.push_str("}\n");
    write(d.path(), "nginx.conf", &text);
    for format in ["human", "concise", "json"] {
        let r = run(
            d.path(),
            &["check", "--output-format", format, "nginx.conf"],
        );
        assert_eq!(r.code, 1);
        let shown: Vec<&str> = r.stdout.matches("private-note-").collect();
        assert!(shown.is_empty(), "{format}: {}", r.stdout);
    }
}

#[test]
fn wscfg_has_no_network_or_process_code() {
    // The source never opens sockets, resolves names or runs programs (parsing an address
    // with `std::net::Ipv4Addr` is fine).
    fn scan(dir: &Path, hits: &mut Vec<String>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                scan(&p, hits);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let text = fs::read_to_string(&p).unwrap();
                for needle in [
                    "TcpStream",
                    "TcpListener",
                    "UdpSocket",
                    "UnixStream",
                    "ToSocketAddrs",
                    "to_socket_addrs",
                    "process::Command",
                    "Command::new",
                    "tokio",
                    "reqwest",
                    "ureq",
                ] {
                    if text.contains(needle) {
                        hits.push(format!("{}: {needle}", p.display()));
                    }
                }
            }
        }
    }
    let mut hits = Vec::new();
    scan(Path::new("src"), &mut hits);
    assert!(hits.is_empty(), "{hits:?}");
    // And no networking crate is a (non-dev) dependency.
    let manifest = fs::read_to_string("Cargo.toml").unwrap();
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap()
        .split("\n[")
        .next()
        .unwrap();
    for c in ["tokio", "reqwest", "hyper", "ureq", "curl", "tungstenite"] {
        assert!(
            !deps.lines().any(|l| l.starts_with(c)),
            "{c} in [dependencies]"
        );
    }
}

/// Under strace: a check and a fix make no socket and run no other program. (Without strace,
/// `wscfg_has_no_network_or_process_code` checks the source for the same.)
#[test]
#[ignore = "needs strace: cargo test -- --include-ignored"]
fn a_run_opens_no_socket_and_executes_nothing() {
    assert!(
        std::process::Command::new("strace")
            .arg("-V")
            .output()
            .is_ok(),
        "strace is not installed: install it with `sudo apt-get install strace` (`.ci/run` does this)"
    );
    let d = dir();
    write(
        d.path(),
        "nginx.conf",
        format!("{WS}# $(touch pwned) `touch pwned`\n"),
    );
    write(d.path(), "conf.d/x.conf", "server { listen 80; }\n");
    for cmd in ["check", "fix"] {
        let log = d.path().join(format!("{cmd}.strace"));
        let out = std::process::Command::new("strace")
            .args([
                "-f",
                "-qq",
                "-e",
                "trace=socket,connect,execve,execveat,fork,vfork",
                "-o",
            ])
            .arg(&log)
            .arg(assert_cmd::cargo::cargo_bin("wscfg"))
            .args([cmd, "."])
            .current_dir(d.path())
            .output()
            .unwrap();
        normal(out);
        let trace = fs::read_to_string(&log).unwrap();
        let calls: Vec<&str> = trace
            .lines()
            .filter(|l| !l.contains("+++") && !l.contains("---"))
            .collect();
        assert_eq!(
            calls.iter().filter(|l| l.contains("execve")).count(),
            1,
            "{trace}"
        );
        assert!(
            !trace.contains("socket(") && !trace.contains("connect("),
            "{trace}"
        );
        assert!(!d.path().join("pwned").exists());
    }
}

// ---------------------------------------------------------------------------------------
// Nothing lost

#[test]
fn fix_keeps_mode_and_owner_and_leaves_no_temporary_file() {
    let d = dir();
    let p = write(d.path(), "nginx.conf", WS);
    fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
    let root = is_root();
    if root {
        std::os::unix::fs::chown(&p, Some(4242), Some(4343)).unwrap();
    }
    let inode = fs::metadata(&p).unwrap().ino();
    assert_eq!(run(d.path(), &["fix", "nginx.conf"]).code, 0);
    let m = fs::metadata(&p).unwrap();
    assert_ne!(m.ino(), inode, "written through a new file and a rename");
    assert_eq!(m.permissions().mode() & 0o7777, 0o640);
    if root {
        assert_eq!((m.uid(), m.gid()), (4242, 4343));
    }
    let names: Vec<_> = fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["nginx.conf"]);
}

#[test]
fn fix_refuses_a_file_that_changed_since_it_was_read() {
    let d = dir();
    let p = write(d.path(), "nginx.conf", WS);
    let mut s = wscfg::engine::Session::new(Default::default());
    s.add_file(p.clone(), wscfg::formats::Format::Nginx);
    let out = s.fix(false);
    let (&id, old) = out.originals.iter().next().expect("something to fix");
    let new = s.db.get(id).text.clone();
    // Someone saves the file in between.
    let theirs = WS.replace("8080", "8081");
    fs::write(&p, &theirs).unwrap();
    let err = wscfg::engine::write_fixed(&p, old, &new, false).unwrap_err();
    assert!(err.contains("changed since wscfg read it"), "{err}");
    assert_eq!(fs::read_to_string(&p).unwrap(), theirs);
    // Unchanged, it is written.
    fs::write(&p, old).unwrap();
    wscfg::engine::write_fixed(&p, old, &new, false).unwrap();
    assert_eq!(fs::read_to_string(&p).unwrap(), new);
}

#[test]
fn fix_refuses_symlinks_unless_told_to_follow_them() {
    let d = dir();
    let real = write(d.path(), "real/app.conf", WS);
    symlink("real/app.conf", d.path().join("nginx.conf")).unwrap();
    let r = run(d.path(), &["fix", "nginx.conf"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nginx.conf is a symbolic link; it was not changed (--follow-symlinks writes its target)"), "{}", r.stderr);
    assert_eq!(fs::read_to_string(&real).unwrap(), WS);
    assert!(
        fs::symlink_metadata(d.path().join("nginx.conf"))
            .unwrap()
            .file_type()
            .is_symlink()
    );

    let r = run(d.path(), &["fix", "--follow-symlinks", "nginx.conf"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        fs::read_to_string(&real)
            .unwrap()
            .contains("proxy_http_version 1.1;")
    );
    assert!(
        fs::symlink_metadata(d.path().join("nginx.conf"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn fix_refuses_a_file_with_other_hard_links() {
    let d = dir();
    let p = write(d.path(), "nginx.conf", WS);
    fs::hard_link(&p, d.path().join("backup.conf")).unwrap();
    let r = run(d.path(), &["fix", "nginx.conf"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("has 2 hard links"), "{}", r.stderr);
    assert_eq!(fs::read_to_string(&p).unwrap(), WS);
}

#[test]
fn a_full_disk_leaves_the_original_intact() {
    let d = dir();
    let original = write(d.path(), "original.conf", WS);
    let mnt = d.path().join("mnt");
    fs::create_dir(&mnt).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("wscfg");
    let script = format!(
        "set -e\n\
         mount -t tmpfs -o size=64k tmpfs '{m}'\n\
         cp '{o}' '{m}/nginx.conf'\n\
         dd if=/dev/zero of='{m}/fill' bs=4k >/dev/null 2>&1 || true\n\
         set +e\n\
         NO_COLOR=1 '{b}' fix '{m}/nginx.conf'; echo \"exit=$?\"\n\
         cmp -s '{o}' '{m}/nginx.conf' && echo INTACT\n\
         ls -a '{m}'\n",
        m = mnt.display(),
        o = original.display(),
        b = bin.display()
    );
    let ok = is_root()
        && std::process::Command::new("unshare")
            .args(["-m", "true"])
            .status()
            .is_ok_and(|s| s.success());
    if !ok {
        // Without the privilege to mount: a read-only directory gives a write error too.
        return a_read_only_directory_leaves_the_original_intact();
    }
    let out = std::process::Command::new("unshare")
        .args(["-m", "sh", "-c", &script])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("exit=2"), "{stdout}{stderr}");
    assert!(stdout.contains("INTACT"), "{stdout}{stderr}");
    assert!(
        stderr.contains("No space left on device")
            && stderr.contains("the file was left as it was"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
    assert!(!stdout.contains(".wscfg-"), "temporary file left: {stdout}");
}

#[test]
fn a_read_only_directory_leaves_the_original_intact() {
    let d = dir();
    fs::set_permissions(d.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let ro = d.path().join("ro");
    fs::create_dir(&ro).unwrap();
    let p = write(&ro, "nginx.conf", WS);
    fs::set_permissions(&p, fs::Permissions::from_mode(0o666)).unwrap();
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
    let r = as_unprivileged(
        d.path(),
        &["fix", "ro/nginx.conf", "--output-format", "concise"],
    );
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("cannot write ro/nginx.conf: Permission denied")
            && r.stderr.contains("the file was left as it was"),
        "{}",
        r.stderr
    );
    assert_eq!(fs::read_to_string(&p).unwrap(), WS);
    // The findings are still reported, against the file as it is.
    assert!(r.stdout.contains("nginx.conf:5:9: NGX001"), "{}", r.stdout);
}

#[test]
fn output_to_a_full_device_is_an_error_not_a_panic() {
    let d = dir();
    write(d.path(), "nginx.conf", WS);
    for args in [
        vec!["check", "nginx.conf"],
        vec!["rules"],
        vec!["explain", "NGX001"],
    ] {
        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("wscfg"))
            .current_dir(d.path())
            .args(&args)
            .stdout(full)
            .output()
            .unwrap();
        let r = normal(out);
        assert_eq!(r.code, 2, "{args:?}");
        assert!(r.stderr.contains("cannot write output"), "{}", r.stderr);
    }
}

#[test]
fn fix_on_a_file_with_a_syntax_error_changes_nothing() {
    let d = dir();
    // Fixable WebSocket problems, and a missing `;` further down.
    let text = WS.replace("listen 8080;", "listen 8080");
    let p = write(d.path(), "nginx.conf", &text);
    let good = write(d.path(), "other.conf", WS.replace("events {}\n", ""));
    let r = run(
        d.path(),
        &[
            "fix",
            "--unsafe-fixes",
            "--output-format",
            "concise",
            "nginx.conf",
            "other.conf",
        ],
    );
    assert_eq!(r.code, 1);
    // `listen 8080 location /ws/ {`: nginx names the line of the `{`.
    assert!(r.stdout.contains("nginx.conf:5:9: NGX000"), "{}", r.stdout);
    assert_eq!(fs::read_to_string(&p).unwrap(), text);
    assert!(
        fs::read_to_string(&good)
            .unwrap()
            .contains("proxy_http_version 1.1;")
    );
}

/// Found by fuzzing: a header that shares its line with a nested block made the fix insert
/// into that block, again on every pass.
#[test]
fn fix_inserts_into_the_location_when_a_block_follows_on_the_same_line() {
    let d = dir();
    let text = "events {}\nhttp {\n    server {\n        location /ws/ {\n            proxy_pass http://127.0.0.1:9000; if ($x) { return 403; }\n        }\n    }\n}\n";
    let p = write(d.path(), "nginx.conf", text);
    let r = run(d.path(), &["fix", "--unsafe-fixes", "nginx.conf"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let fixed = fs::read_to_string(&p).unwrap();
    assert_eq!(
        fixed.matches("proxy_http_version 1.1;").count(),
        1,
        "{fixed}"
    );
    let mut s = wscfg::engine::Session::new(Default::default());
    s.add_text(p, fixed.clone(), wscfg::formats::Format::Nginx);
    assert!(
        s.fix(true).originals.is_empty(),
        "not a fixed point: {fixed}"
    );
}

// ---------------------------------------------------------------------------------------
// Every file wscfg opens is bounded (issue 19, points 2 and 6)

/// Runs wscfg with a short timeout: a read that never ends fails the test instead of hanging.
fn run_bounded(cwd: &Path, args: &[&str]) -> Run {
    let out = wscfg()
        .current_dir(cwd)
        .args(args)
        .env("CI_TOKEN", "SECRET-IN-THE-ENVIRONMENT")
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    normal(out)
}

fn mkfifo(path: &Path) {
    assert!(
        std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap()
            .success()
    );
}

#[test]
fn extend_never_reads_a_device_a_fifo_or_outside_the_repository() {
    let d = dir();
    let repo = d.path().join("repo");
    write(&repo, "nginx.conf", WS);
    mkfifo(&repo.join("pipe.toml"));
    write(d.path(), "outside.toml", "ignore = [\"OUTSIDE-VALUE\"]\n");
    let cases = [
        (
            "wscfg.toml",
            "extend = \"/dev/zero\"\n",
            "outside the checked root",
        ),
        (
            "pyproject.toml",
            "[tool.wscfg]\nextend = \"/dev/zero\"\n",
            "outside the checked root",
        ),
        (
            "wscfg.toml",
            "extend = \"pipe.toml\"\n",
            "pipe.toml is not a regular file",
        ),
        (
            "wscfg.toml",
            "extend = \"../outside.toml\"\n",
            "--allow-include-outside-root",
        ),
    ];
    for (name, text, says) in cases {
        let _ = fs::remove_file(repo.join("wscfg.toml"));
        let _ = fs::remove_file(repo.join("pyproject.toml"));
        write(&repo, name, text);
        let r = run_bounded(&repo, &["check", "nginx.conf"]);
        assert_eq!(r.code, 2, "{name}: {text}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{text}: {}", r.stderr);
        assert!(!r.stderr.contains("OUTSIDE-VALUE"), "{}", r.stderr);
    }
    // Asked for, a file outside is read, but a device never is, and an error in the file
    // outside does not quote it.
    let allow = ["check", "--allow-include-outside-root", "nginx.conf"];
    write(&repo, "wscfg.toml", "extend = \"/dev/zero\"\n");
    let r = run_bounded(&repo, &allow);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("never read as configuration"),
        "{}",
        r.stderr
    );
    write(&repo, "wscfg.toml", "extend = \"../outside.toml\"\n");
    let r = run_bounded(&repo, &allow);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("outside.toml: not a valid wscfg configuration")
            && !r.stderr.contains("OUTSIDE-VALUE"),
        "{}",
        r.stderr
    );
    write(d.path(), "outside.toml", "ignore = [\"NGX001\"]\n");
    let r = run_bounded(&repo, &allow);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        !r.stdout.contains("NGX001"),
        "the outside file applies: {}",
        r.stdout
    );
    // Configuration files honour --max-file-size too.
    write(&repo, "wscfg.toml", format!("# {}\n", "x".repeat(2000)));
    let r = run_bounded(&repo, &["check", "--max-file-size", "1K", "nginx.conf"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("over the 1024-byte limit"),
        "{}",
        r.stderr
    );
}

#[test]
fn ignore_files_that_are_devices_or_fifos_are_refused_not_read() {
    let d = dir();
    write(d.path(), "ok/nginx.conf", WS);
    write(d.path(), "zero/nginx.conf", WS);
    write(d.path(), "pipe/nginx.conf", WS);
    symlink("/dev/zero", d.path().join("zero/.gitignore")).unwrap();
    mkfifo(&d.path().join("pipe/.ignore"));
    let r = run_bounded(d.path(), &["check", "--output-format", "concise", "."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("zero/.gitignore is under /dev"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("pipe/.ignore is not a regular file"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("ok/nginx.conf"), "{}", r.stdout);
    // The root's own ignore file, and one over --max-file-size.
    let r = run_bounded(&d.path().join("zero"), &["check", "."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(".gitignore is under /dev"),
        "{}",
        r.stderr
    );
    write(d.path(), "ok/.gitignore", "x".repeat(2000));
    let r = run_bounded(d.path(), &["check", "--max-file-size", "1K", "ok"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("over the 1024-byte limit"),
        "{}",
        r.stderr
    );
    // --no-ignore reads none of them.
    let r = run_bounded(
        d.path(),
        &["check", "--no-ignore", "--output-format", "concise", "."],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
}

#[test]
fn proc_sys_and_dev_are_never_read_and_never_quoted() {
    let d = dir();
    write(
        d.path(),
        "nginx.conf",
        "events {}\nhttp {\n    include /proc/self/environ;\n    include /sys/kernel/hostname;\n}\n",
    );
    for format in ["concise", "json", "sarif", "github"] {
        let r = run_bounded(
            d.path(),
            &[
                "check",
                "--allow-include-outside-root",
                "--output-format",
                format,
                "nginx.conf",
            ],
        );
        assert!(
            !r.stdout.contains("SECRET-IN-THE-ENVIRONMENT")
                && !r.stderr.contains("SECRET-IN-THE-ENVIRONMENT"),
            "{format}: {}",
            r.stdout
        );
        assert!(
            r.stdout.contains("never read as configuration"),
            "{format}: {}",
            r.stdout
        );
    }
}

// ---------------------------------------------------------------------------------------
// Smaller points (issue 19, point 8)

#[test]
fn a_read_only_file_is_not_replaced_and_says_so() {
    let d = dir();
    let p = write(d.path(), "nginx.conf", WS);
    fs::set_permissions(&p, fs::Permissions::from_mode(0o444)).unwrap();
    let r = run_bounded(d.path(), &["fix", "nginx.conf"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("nginx.conf is read-only; it was not changed"),
        "{}",
        r.stderr
    );
    assert_eq!(fs::read_to_string(&p).unwrap(), WS);
}

#[test]
fn init_into_a_fifo_is_refused_not_opened() {
    let d = dir();
    mkfifo(&d.path().join("fly.toml"));
    let r = run_bounded(
        d.path(),
        &["init", "fly", "--app", "chat", "--force", "-o", "fly.toml"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("fly.toml is not a regular file"),
        "{}",
        r.stderr
    );
    assert!(
        fs::metadata(d.path().join("fly.toml"))
            .unwrap()
            .file_type()
            .is_fifo()
    );
}
