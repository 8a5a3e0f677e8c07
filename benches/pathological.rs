//! How long the built binary takes on pathological nginx inputs (thousands of servers, one
//! very long line, 100,000 locations in one server), for `check` in two output formats and
//! `fix --unsafe-fixes`. Prints a table; nothing is asserted (the limits and their tests are
//! in tests/adversarial.rs). Run with `cargo bench --bench pathological` (release build, about
//! a minute).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

const UNIT: &str = "server {\n    listen 80;\n    location /ws/ {\n        proxy_pass http://127.0.0.1:9000;\n        proxy_http_version 1.1;\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection \"upgrade\";\n        proxy_read_timeout 3600s;\n    }\n}\n";
const ONE_LINE: &str = "location /ws/ { proxy_pass http://127.0.0.1:9000; } ";

fn main() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in cases() {
        std::fs::write(dir.path().join("nginx.conf"), &text).unwrap();
        let kb = text.len() / 1024;
        for format in ["concise", "human"] {
            let (secs, code, out) = time(dir.path(), &["check", "--output-format", format]);
            println!(
                "{name:<40} {kb:>6} KB  check --output-format {format:<8} {secs:>8.2}s  exit {code} out {} KB",
                out / 1024
            );
        }
        let (secs, code, _) = time(
            dir.path(),
            &["fix", "--unsafe-fixes", "--output-format", "concise"],
        );
        println!(
            "{name:<40} {kb:>6} KB  fix --unsafe-fixes              {secs:>8.2}s  exit {code}"
        );
    }
}

fn cases() -> Vec<(String, String)> {
    let mut cases = Vec::new();
    for n in [1_000, 4_000, 16_000] {
        cases.push((
            format!("{n} servers ({} lines)", n * 10),
            format!("events {{}}\nhttp {{\n{}}}\n", UNIT.repeat(n)),
        ));
    }
    for n in [1_000, 4_000, 16_000] {
        cases.push((
            format!("{n} locations on one line"),
            format!("http {{ server {{ {} }} }}", ONE_LINE.repeat(n)),
        ));
    }
    for n in [10_000, 100_000] {
        let body: String = (0..n)
            .map(|i| format!("        location /ws/{i}/ {{ proxy_pass http://b; }}\n"))
            .collect();
        cases.push((
            format!("{n} distinct locations in one server"),
            format!("events {{}}\nhttp {{\n    server {{\n{body}    }}\n}}\n"),
        ));
    }
    cases
}

/// Seconds, exit code and bytes of standard output of `wscfg ARGS nginx.conf` in `dir`.
fn time(dir: &Path, args: &[&str]) -> (f64, i32, usize) {
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_wscfg"))
        .args(args)
        .arg("nginx.conf")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        t.elapsed().as_secs_f64(),
        out.status.code().unwrap_or(-1),
        out.stdout.len(),
    )
}
