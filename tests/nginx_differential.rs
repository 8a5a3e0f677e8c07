//! NGX000 against the real `nginx -t`: every configuration of a corpus (tests/realworld,
//! tests/corpus, the nginx fixtures, the edge cases below) and mutants of each one nginx
//! accepts (a deleted `;` or `}`, an added argument, a duplicated, misspelt or misplaced
//! directive, `map` entries named like directives) is checked by both, in a temporary
//! prefix, and their verdicts compared:
//! - nginx accepts it: wscfg reports no NGX000;
//! - nginx refuses it for its syntax (`unknown directive`, `not allowed here`, argument
//!   counts, `is duplicate`, braces, quotes, table entries): wscfg reports NGX000;
//! - nginx refuses it for the machine it runs on (a certificate, an include or a host that
//!   is not there, a module this build lacks) or for a value wscfg does not judge: no
//!   verdict to compare, except that wscfg must not report NGX000 on an earlier line of the
//!   file nginx read past.
//!
//! Fragments (a server block, a location body) are included by a main file at the context
//! wscfg reads them in; includes that name missing relative files get empty files, the
//! packaged files (`mime.types`, ...) are copied in, and unknown upstream hosts resolve to
//! 127.0.0.1 through a private /etc/hosts (`unshare`, when the system allows it).
//!
//! Any disagreement fails the test; the agreement figure is printed
//! (`cargo test --test nginx_differential -- --nocapture`; with `WSCFG_DIFFERENTIAL_LOG=1`,
//! every case's two verdicts too).

mod common;
#[allow(dead_code)]
mod e2e;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use wscfg::config::Config;
use wscfg::engine::Session;
use wscfg::formats::Format;
use wscfg::formats::nginx::ast::ParsedFile;
use wscfg::formats::nginx::load::{self, PACKAGED_FILES};
use wscfg::formats::nginx::parser;
use wscfg::formats::nginx::tree::Context;

/// Hand-written cases: what nginx refuses and what it accepts though it looks odd.
const EDGE_CASES: &[(&str, &str)] = &[
    (
        "map-directive-keys",
        "map $http_x_forwarded_proto $p { default $scheme; https https; http http; }\n",
    ),
    (
        "map-keyword-keys",
        "map $uri $q { location 1; if 2; upstream 3; set 4; events 5; add_header 6; rewrite 7; }\n",
    ),
    ("map-three-words", "map $uri $q { a b c; }\n"),
    ("map-one-parameter", "map $uri { default 1; }\n"),
    ("map-brace", "map $uri $q { a { } }\n"),
    ("types-keys", "types { text/html html; location x; }\n"),
    (
        "error-log-levels",
        "error_log /dev/null debug_http debug_core;\n",
    ),
    ("error-page-one-arg", "server { error_page 404; }\n"),
    ("gzip-two-args", "gzip on off;\n"),
    ("server-with-arg", "server x { }\n"),
    ("log-format-bare", "log_format;\n"),
    ("expires-bare", "server { location / { expires; } }\n"),
    ("allow-bare", "server { location / { allow; } }\n"),
    (
        "proxy-pass-in-server",
        "server { proxy_pass http://127.0.0.1; }\n",
    ),
    ("if-in-http", "if ($uri) { }\n"),
    ("location-in-http", "location / { }\n"),
    (
        "proxy-pass-twice",
        "server { location / { proxy_pass http://127.0.0.1; proxy_pass http://127.0.0.1; } }\n",
    ),
    ("root-twice", "server { root /a; root /b; }\n"),
    (
        "default-server-twice",
        "server { listen 8080 default_server; }\nserver { listen *:8080 default_server; }\n",
    ),
    (
        "default-server-two-sockets",
        "server { listen 8080 default_server; }\nserver { listen 127.0.0.1:8080 default_server; }\n",
    ),
    (
        "misspelt",
        "server { location / { proxy_passs http://127.0.0.1; } }\n",
    ),
    ("capitalised", "server { Listen 80; }\n"),
    ("http2-directive", "server { http2 on; }\n"),
    (
        "limit-except",
        "server { location / { limit_except GET { deny all; } } }\n",
    ),
    (
        "if-in-if",
        "server { location / { if ($uri) { if ($uri) { } } } }\n",
    ),
];

/// What `nginx -t` said.
#[derive(Debug, Clone, PartialEq)]
enum Nginx {
    Ok,
    Syntax(Place),
    /// Refused for the machine (files, hosts, modules: `machine`) or a value wscfg does not
    /// judge; `after_parse` when nginx had read every file by then.
    Other {
        at: Option<Place>,
        after_parse: bool,
        machine: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
struct Place {
    file: PathBuf,
    line: usize,
    message: String,
}

/// nginx's messages about the syntax: what NGX000 claims to report.
const SYNTAX: &[&str] = &[
    "a duplicate default server",
    "a duplicate listen",
    "unknown directive",
    "directive is not allowed here",
    "invalid number of arguments",
    "directive is duplicate",
    "has no opening \"{\"",
    "is not terminated by \";\"",
    "unexpected \"",
    "unexpected end of file",
    "too long parameter",
    "invalid number of the map parameters",
    "invalid number of the geo parameters",
    "invalid parameters number",
];

/// nginx's messages about the machine it runs on.
const ENVIRONMENT: &[&str] = &[
    "open() \"",
    "host not found",
    "cannot load certificate",
    "no \"ssl_certificate\"",
    "BIO_new_file",
    "getpwnam",
    "getgrnam",
    "dlopen()",
    "no resolver defined",
    "mkdir()",
    "No such file or directory",
    "Permission denied",
];

/// Failures nginx reports after it has read every file.
const AFTER_PARSE: &[&str] = &[
    "cannot load certificate",
    "no \"ssl_certificate\"",
    "BIO_new_file",
];

struct Case {
    name: String,
    /// The text checked (a main file, or a fragment included by `main`).
    text: String,
    /// Where the fragment is included, `None` for a main file.
    context: Option<Context>,
}

struct Prefix {
    dir: tempfile::TempDir,
    hosts: BTreeSet<String>,
}

fn nginx_version() -> (u32, u32, u32) {
    let out = Command::new(e2e::nginx::binary())
        .arg("-v")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    let v = text.split('/').nth(1).unwrap_or("").trim();
    wscfg::config::parse_version(v.split(' ').next().unwrap_or(v))
        .unwrap_or_else(|| panic!("cannot read the nginx version from {text:?}"))
}

fn wrapper(context: Context) -> &'static str {
    match context {
        Context::Http => "events {}\nhttp {\ninclude case.conf;\n}\n",
        Context::Server => "events {}\nhttp {\nserver {\ninclude case.conf;\n}\n}\n",
        _ => "events {}\nhttp {\nserver {\nlocation / {\ninclude case.conf;\n}\n}\n}\n",
    }
}

fn parse(text: &str) -> Option<ParsedFile> {
    parser::parse(text).ok()
}

/// The context wscfg reads a lone file in (main when it does not parse and names events/http).
fn context_of(text: &str) -> Option<Context> {
    let ctx = match parse(text) {
        Some(p) => load::root_context(text, &p, &Default::default()),
        None if text.contains("events") || text.contains("http {") => Context::Main,
        None => Context::Http,
    };
    (ctx != Context::Main).then_some(ctx)
}

fn corpus() -> Vec<Case> {
    let mut out = Vec::new();
    let mut roots: Vec<PathBuf> = Vec::new();
    for dir in [
        "tests/realworld/nginx",
        "tests/corpus/nginx",
        "fixtures/nginx",
    ] {
        roots.extend(common::files_under(Path::new(dir)));
    }
    for path in roots {
        let name = path.display().to_string();
        if name.ends_with(".md") || name.ends_with(".toml") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        // nginx only ever reads a template once it is rendered; wscfg judges what it can of
        // the template itself (tests/partial_files.rs, tests/templates/).
        if wscfg::formats::nginx::template::scan(Some(&path), &text).is_some() {
            continue;
        }
        out.push(Case {
            name,
            context: context_of(&text),
            text,
        });
    }
    for (name, text) in EDGE_CASES {
        out.push(Case {
            name: format!("edge:{name}"),
            text: (*text).to_owned(),
            context: Some(Context::Http),
        });
    }
    out
}

/// A small deterministic generator (xorshift), so every run tries the same mutants.
struct Rng(u64);

impl Rng {
    fn pick(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

const DIRECTIVE_KEYS_MAP: &str = "map $http_upgrade $mutant_keys {\n    default upgrade;\n    '' close;\n    location 1;\n    if 2;\n    upstream 3;\n    set 4;\n    events 5;\n    http 6;\n    server 7;\n    add_header 8;\n}\n";
const INCLUDED_KEYS_MAP: &str =
    "map $uri $mutant_included {\n    include mutant_entries.conf;\n}\n";

/// Mutants of a case nginx accepts: (label, text).
fn mutants(case: &Case, seed: u64) -> Vec<(String, String)> {
    let Some(p) = parse(&case.text) else {
        return Vec::new();
    };
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let text = &case.text;
    let all: Vec<usize> = (0..p.directives.len()).collect();
    let simple: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&i| p.directives[i].block().is_none())
        .collect();
    let blocks: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&i| p.directives[i].block().is_some_and(|b| !b.raw))
        .collect();
    let mut out = Vec::new();
    let splice =
        |at: usize, cut: usize, with: &str| format!("{}{}{}", &text[..at], with, &text[at + cut..]);
    if !simple.is_empty() {
        let d = &p.directives[simple[rng.pick(simple.len())]];
        out.push(("deleted ;".into(), splice(d.span().end - 1, 1, " ")));
        let d = &p.directives[simple[rng.pick(simple.len())]];
        out.push((
            "added argument".into(),
            splice(d.span().end - 1, 0, " extra"),
        ));
        let d = &p.directives[simple[rng.pick(simple.len())]];
        let copy = format!("\n{}", &text[d.span().range()]);
        out.push(("duplicated".into(), splice(d.span().end, 0, &copy)));
        // Moved up a level: into the enclosing block's parent, or to the top.
        let i = simple[rng.pick(simple.len())];
        let d = &p.directives[i];
        let parent = all.iter().copied().find(|&b| {
            p.directives[b]
                .block()
                .is_some_and(|bl| bl.open < d.span().start && d.span().end <= bl.close)
                && p.children(&p.directives[b])
                    .iter()
                    .any(|c| c.0 as usize == i)
        });
        if let Some(parent) = parent {
            let at = p.directives[parent].span().start;
            out.push((
                "misplaced".into(),
                splice(at, 0, &format!("{}\n", &text[d.span().range()])),
            ));
        }
    }
    if !blocks.is_empty() {
        let d = &p.directives[blocks[rng.pick(blocks.len())]];
        let close = d.block().unwrap().close;
        out.push(("deleted }".into(), splice(close, 1, " ")));
    }
    if !all.is_empty() {
        let d = &p.directives[all[rng.pick(all.len())]];
        let name = d.name.span();
        if !d.name.quoted() && name.len() > 1 {
            let last = &text[name.end - 1..name.end];
            out.push(("misspelt".into(), splice(name.end, 0, last)));
        }
    }
    // `map` entries named like directives, inline and through an include.
    let http_body = match case.context {
        Some(Context::Http) => Some(0),
        None => p
            .roots
            .iter()
            .map(|&r| p.get(r))
            .find(|d| d.name() == "http")
            .and_then(|d| d.block())
            .map(|b| b.open + 1),
        _ => None,
    };
    if let Some(at) = http_body {
        out.push((
            "map with directive keys".into(),
            splice(at, 0, DIRECTIVE_KEYS_MAP),
        ));
        out.push((
            "map including directive keys".into(),
            splice(at, 0, INCLUDED_KEYS_MAP),
        ));
    }
    out
}

impl Prefix {
    fn new(case: &Case) -> Prefix {
        let dir = tempfile::tempdir().unwrap();
        for name in PACKAGED_FILES {
            let from = Path::new("/etc/nginx").join(name);
            if from.is_file() {
                std::fs::copy(&from, dir.path().join(name)).unwrap();
            }
        }
        std::fs::write(
            dir.path().join("mutant_entries.conf"),
            "location 1;\nif 2;\nserver 3;\nhttp http;\n",
        )
        .unwrap();
        // Relative includes of files that are not there: empty files, for both.
        if let Some(p) = parse(&case.text) {
            for d in p.directives.iter().filter(|d| d.name() == "include") {
                let Some(target) = d.arg(0) else { continue };
                if target.starts_with('/') || target.contains(['*', '?', '[', '$']) {
                    continue;
                }
                let path = dir.path().join(target);
                if !path.exists() && path.starts_with(dir.path()) && !target.contains("..") {
                    if let Some(parent) = path.parent() {
                        std::fs::create_dir_all(parent).unwrap();
                    }
                    std::fs::write(&path, "").unwrap();
                }
            }
        }
        Prefix {
            dir,
            hosts: BTreeSet::new(),
        }
    }

    /// Writes the case's text (and its main file) and returns the main file.
    fn write(&self, case: &Case, text: &str) -> PathBuf {
        let main = self.dir.path().join("nginx.conf");
        match case.context {
            None => {
                let mut t = text.to_owned();
                let has_events = parse(text)
                    .is_none_or(|p| p.roots.iter().any(|&r| p.get(r).name() == "events"));
                if !has_events {
                    t.push_str("\nevents {}\n");
                }
                std::fs::write(&main, t).unwrap();
            }
            Some(ctx) => {
                std::fs::write(self.dir.path().join("case.conf"), text).unwrap();
                std::fs::write(&main, wrapper(ctx)).unwrap();
            }
        }
        main
    }

    fn nginx_t(&self, main: &Path) -> String {
        let nginx = e2e::nginx::binary();
        let mut cmd = if self.hosts.is_empty() {
            Command::new(&nginx)
        } else {
            let hosts = self.dir.path().join("hosts");
            let mut list = String::from("127.0.0.1 localhost\n");
            for h in &self.hosts {
                writeln!(list, "127.0.0.1 {h}").unwrap();
            }
            std::fs::write(&hosts, list).unwrap();
            let mut c = Command::new("unshare");
            c.args(["-m", "--propagation", "private", "sh", "-c"])
                .arg(format!(
                    "mount --bind {} /etc/hosts && exec \"$0\" \"$@\"",
                    hosts.display()
                ))
                .arg(&nginx);
            c
        };
        let out = cmd
            .arg("-t")
            .arg("-q")
            .arg("-p")
            .arg(self.dir.path())
            .arg("-c")
            .arg(main)
            .output()
            .expect("cannot run nginx");
        if out.status.success() {
            return String::new();
        }
        let text = String::from_utf8_lossy(&out.stderr).into_owned();
        if text.is_empty() {
            "[emerg] nginx failed without a message".into()
        } else {
            text
        }
    }

    /// nginx's verdict, retrying with each upstream host it could not resolve stubbed.
    fn verdict(
        &mut self,
        main: &Path,
        known: &wscfg::formats::nginx::directives::Known<'_>,
    ) -> Nginx {
        for _ in 0..8 {
            let out = self.nginx_t(main);
            let Some(line) = out.lines().find(|l| l.contains("[emerg]")) else {
                return Nginx::Ok;
            };
            let message = line.split("[emerg] ").nth(1).unwrap_or(line);
            let message = message.split_once(": ").map_or(message, |(pid, rest)| {
                if pid.chars().all(|c| c.is_ascii_digit() || c == '#') {
                    rest
                } else {
                    message
                }
            });
            let place = place(message);
            if let Some(host) = message
                .split("host not found in upstream \"")
                .nth(1)
                .and_then(|h| h.split('"').next())
            {
                let host = host.rsplit_once(':').map_or(host, |(h, _)| h).to_owned();
                if unshare_works() && self.hosts.insert(host) {
                    continue;
                }
            }
            let unknown_but_known = message
                .strip_prefix("unknown directive \"")
                .and_then(|m| m.split('"').next())
                .is_some_and(|name| known.commands(name).next().is_some());
            if let Some(p) = place.as_ref().filter(|_| !unknown_but_known)
                && SYNTAX.iter().any(|s| message.contains(s))
            {
                return Nginx::Syntax(p.clone());
            }
            return Nginx::Other {
                // Messages without a place come after the files are read (an unknown
                // variable, a certificate).
                after_parse: place.is_none() || AFTER_PARSE.iter().any(|e| message.contains(e)),
                at: place,
                // A directive of the stock sources this build leaves out (stream, perl).
                machine: unknown_but_known || ENVIRONMENT.iter().any(|e| message.contains(e)),
            };
        }
        Nginx::Other {
            at: None,
            after_parse: false,
            machine: true,
        }
    }
}

fn unshare_works() -> bool {
    static WORKS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *WORKS.get_or_init(|| {
        Command::new("unshare")
            .args(["-m", "--propagation", "private", "true"])
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// `... in /tmp/x/nginx.conf:12`
fn place(message: &str) -> Option<Place> {
    let (text, at) = message.rsplit_once(" in ")?;
    let (file, line) = at.trim().rsplit_once(':')?;
    Some(Place {
        file: PathBuf::from(file),
        line: line.parse().ok()?,
        message: text.to_owned(),
    })
}

/// wscfg's NGX000 findings: (file, line, message).
fn wscfg_syntax(main: &Path, version: (u32, u32, u32)) -> Vec<(PathBuf, usize, String)> {
    let mut config = Config::default();
    config.nginx.version = Some(version);
    let mut s = Session::new(config);
    s.add_file(main.to_owned(), Format::Nginx);
    let diags = s.lint();
    diags
        .iter()
        .filter(|d| d.code == "NGX000")
        .map(|d| {
            let f = s.db.get(d.file);
            (
                f.path.clone(),
                f.line_col(d.span.start).line,
                d.message.clone(),
            )
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    compared: usize,
    agreed: usize,
    syntax_cases: usize,
    same_line: usize,
    environment: usize,
    value: usize,
    disagreements: Vec<String>,
}

#[test]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
fn ngx000_agrees_with_nginx_t() {
    let version = nginx_version();
    let table = wscfg::formats::nginx::directives::table();
    let known = table.known(Some(version), None);
    let started = std::time::Instant::now();
    let mut tally = Tally::default();
    for (i, case) in corpus().iter().enumerate() {
        let mut prefix = Prefix::new(case);
        let main = prefix.write(case, &case.text);
        let base = prefix.verdict(&main, &known);
        compare(
            &mut tally, &case.name, "as is", &prefix, &main, &base, version,
        );
        if base != Nginx::Ok {
            continue;
        }
        for (label, text) in mutants(case, i as u64 + 1) {
            let main = prefix.write(case, &text);
            let verdict = prefix.verdict(&main, &known);
            compare(
                &mut tally, &case.name, &label, &prefix, &main, &verdict, version,
            );
        }
    }
    let share = |n: usize, of: usize| 100.0 * n as f64 / of.max(1) as f64;
    println!(
        "nginx {}.{}.{}: wscfg agreed with nginx -t on {}/{} syntax verdicts ({:.1}%); nginx \
         named the line of {}/{} syntax errors and wscfg reported it there ({:.1}%); not \
         compared: {} refused for the machine, {} for a value wscfg does not judge; {:.1}s",
        version.0,
        version.1,
        version.2,
        tally.agreed,
        tally.compared,
        share(tally.agreed, tally.compared),
        tally.same_line,
        tally.syntax_cases,
        share(tally.same_line, tally.syntax_cases),
        tally.environment,
        tally.value,
        started.elapsed().as_secs_f64()
    );
    assert!(tally.compared > 1000, "too few cases: {}", tally.compared);
    assert!(
        tally.disagreements.is_empty(),
        "{} disagreements:\n{}",
        tally.disagreements.len(),
        tally.disagreements.join("\n")
    );
}

fn compare(
    tally: &mut Tally,
    name: &str,
    label: &str,
    prefix: &Prefix,
    main: &Path,
    nginx: &Nginx,
    version: (u32, u32, u32),
) {
    let ours = wscfg_syntax(main, version);
    if std::env::var_os("WSCFG_DIFFERENTIAL_LOG").is_some() {
        let first = ours
            .first()
            .map(|(f, l, m)| format!("{}:{l}: {m}", rel(prefix, f)));
        println!("{name} ({label}): nginx {nginx:?}; wscfg {first:?}");
    }
    let shown = |v: &[(PathBuf, usize, String)]| {
        v.iter()
            .map(|(f, l, m)| format!("{}:{l}: {m}", rel(prefix, f)))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let mut disagree = |why: String| {
        tally.disagreements.push(format!("{name} ({label}): {why}"));
    };
    match nginx {
        Nginx::Ok => {
            tally.compared += 1;
            if ours.is_empty() {
                tally.agreed += 1;
            } else {
                disagree(format!("nginx accepts it, wscfg: {}", shown(&ours)));
            }
        }
        Nginx::Syntax(p) => {
            tally.compared += 1;
            tally.syntax_cases += 1;
            if ours.is_empty() {
                disagree(format!(
                    "nginx: {} at {}:{}, wscfg: no NGX000",
                    p.message,
                    rel(prefix, &p.file),
                    p.line
                ));
            } else {
                tally.agreed += 1;
                if ours.iter().any(|(f, l, _)| *f == p.file && *l == p.line) {
                    tally.same_line += 1;
                }
            }
        }
        Nginx::Other {
            at,
            after_parse,
            machine,
        } => {
            if *machine {
                tally.environment += 1;
            } else {
                tally.value += 1;
            }
            // nginx read past what wscfg calls a syntax error: all of it, or the lines
            // before the one it stopped at.
            let read_past = |(f, l, _): &&(PathBuf, usize, String)| {
                *after_parse || at.as_ref().is_some_and(|p| *f == p.file && *l < p.line)
            };
            if let Some(early) = ours.iter().find(read_past) {
                disagree(format!(
                    "nginx read past it ({at:?}), wscfg: {}",
                    shown(std::slice::from_ref(early))
                ));
            }
        }
    }
}

fn rel(prefix: &Prefix, f: &Path) -> String {
    f.strip_prefix(prefix.dir.path())
        .unwrap_or(f)
        .display()
        .to_string()
}
