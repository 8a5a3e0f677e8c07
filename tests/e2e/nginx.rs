//! Running a real nginx on a fixture: find the binary, render the configuration into a temp
//! directory so it runs here, `nginx -t` it, start it in the foreground and always stop it.
//!
//! The templating is a handful of textual rewrites, all in [`template_file`] and
//! [`template_main`]:
//! - `listen ADDR` → `listen 127.0.0.1:PORT` (one free port per distinct ADDR, so servers
//!   that shared a port still share one), and a `server` block without `listen` gets one
//!   (nginx would bind *:80 for it); found with wscfg's parser, so quoting and layout do not
//!   matter. A copied file it cannot parse is copied unchanged: nginx parses every file before
//!   it binds anything, so such a file makes `nginx -t` fail without opening a port;
//! - `127.0.0.1:9000` → the WebSocket backend, `127.0.0.1:9001` → the plain backend;
//! - `pid`, and absolute `error_log`/`access_log` paths → files in the temp directory;
//! - the main file gets `daemon off;`, a pid file and an error log at the top, and the temp
//!   paths and an access log right after `http {`.
//!
//! Relative `include`s resolve against the directory of the main file, so the directory the
//! configuration comes from is copied (templated) into the temp directory first; files the
//! nginx package ships beside nginx.conf (mime.types, ...) are copied from /etc/nginx.

use regex::Regex;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

/// Where the Debian package keeps mime.types and friends.
const PACKAGED_DIR: &str = "/etc/nginx";
use wscfg::formats::nginx::load::PACKAGED_FILES;
/// How long nginx may take to open its port, and to exit when asked.
const START_TIMEOUT: Duration = Duration::from_secs(5);
const STOP_TIMEOUT: Duration = Duration::from_secs(3);

/// The nginx binary: `$WSCFG_NGINX`, else `nginx` on PATH or in the usual sbin directories.
/// Panics with installation advice when there is none: these tests never skip silently.
pub fn binary() -> PathBuf {
    if let Some(p) = std::env::var_os("WSCFG_NGINX") {
        let p = PathBuf::from(p);
        assert!(p.is_file(), "WSCFG_NGINX={} is not a file", p.display());
        return p;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::env::split_paths(&path).chain(
        [
            "/usr/sbin",
            "/usr/local/sbin",
            "/sbin",
            "/usr/local/nginx/sbin",
        ]
        .into_iter()
        .map(PathBuf::from),
    );
    for d in dirs {
        let candidate = d.join("nginx");
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!(
        "nginx is not installed, and the end-to-end tests need a real nginx: install it with \
         `sudo apt-get install nginx-light` (Debian/Ubuntu; `.ci/run` does this), or set \
         WSCFG_NGINX=/path/to/nginx"
    );
}

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("no free port on 127.0.0.1")
        .port()
}

/// The real ports a configuration is rendered against.
#[derive(Clone, Copy, Debug)]
pub struct Backends {
    pub ws: u16,
    pub plain: u16,
}

static PID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?m)^(\s*)pid\s+[^;]*;").unwrap());
static DAEMON: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^(\s*)daemon\s+[^;]*;").unwrap());
static LOG_PATH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^(\s*(error_log|access_log)\s+)/[^\s;]+").unwrap());
static HTTP_OPEN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?m)^\s*http\s*\{").unwrap());

/// The rewrites every file of a configuration gets (see the module comment). `None` when
/// wscfg's parser cannot read the file, so its `listen`s could not be made safe.
pub fn template_file(
    text: &str,
    listen_ports: &mut BTreeMap<String, u16>,
    backends: Backends,
    tmp: &Path,
) -> Option<String> {
    let text = rewrite_listens(text, listen_ports)?;
    let text = text
        .replace("127.0.0.1:9000", &format!("127.0.0.1:{}", backends.ws))
        .replace("127.0.0.1:9001", &format!("127.0.0.1:{}", backends.plain));
    let logs = tmp.join("logs");
    let text = LOG_PATH.replace_all(&text, |c: &regex::Captures| {
        format!("{}{}/{}.log", &c[1], logs.display(), &c[2])
    });
    let text = PID.replace_all(&text, "${1}# pid: set by the e2e test");
    Some(
        DAEMON
            .replace_all(&text, "${1}# daemon: set by the e2e test")
            .into_owned(),
    )
}

/// nginx's own default for a server without `listen`.
const DEFAULT_LISTEN: &str = "(no listen: *:80)";

fn rewrite_listens(text: &str, listen_ports: &mut BTreeMap<String, u16>) -> Option<String> {
    let parsed = wscfg::formats::nginx::parser::parse(text).ok()?;
    let mut port_of = |addr: &str| {
        *listen_ports
            .entry(addr.to_owned())
            .or_insert_with(free_port)
    };
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for d in &parsed.directives {
        match (d.name(), d.block()) {
            ("listen", None) => {
                let Some(addr) = d.args.first() else { continue };
                if !addr.value.starts_with("unix:") {
                    let port = port_of(&addr.value);
                    edits.push((
                        addr.span().start,
                        addr.span().end,
                        format!("127.0.0.1:{port}"),
                    ));
                }
            }
            ("server", Some(block)) if !block.raw => {
                let has_listen = parsed
                    .children(d)
                    .iter()
                    .any(|&c| parsed.get(c).name() == "listen");
                if !has_listen {
                    let port = port_of(DEFAULT_LISTEN);
                    let at = block.open + 1;
                    edits.push((at, at, format!(" listen 127.0.0.1:{port}; ")));
                }
            }
            _ => {}
        }
    }
    let mut out = text.to_owned();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    for (start, end, with) in edits {
        out.replace_range(start..end, &with);
    }
    Some(out)
}

/// What the main file gets on top of [`template_file`].
pub fn template_main(text: &str, tmp: &Path) -> String {
    let t = tmp.display();
    let head = format!(
        "# e2e: lines up to the original text were added by the test\n\
         daemon off;\npid {t}/nginx.pid;\nerror_log {t}/logs/error.log info;\n"
    );
    let http_lines = format!(
        "\n    access_log {t}/logs/access.log;\n    client_body_temp_path {t}/temp/body;\n    \
         proxy_temp_path {t}/temp/proxy;\n    fastcgi_temp_path {t}/temp/fastcgi;\n    \
         uwsgi_temp_path {t}/temp/uwsgi;\n    scgi_temp_path {t}/temp/scgi;\n"
    );
    let body = match HTTP_OPEN.find(text) {
        Some(m) => format!("{}{http_lines}{}", &text[..m.end()], &text[m.end()..]),
        None => text.to_owned(),
    };
    format!("{head}{body}")
}

/// A configuration rendered into its own temp directory, ready for nginx.
pub struct Rendered {
    pub dir: tempfile::TempDir,
    pub main: PathBuf,
    /// Original listen address → the port it became.
    pub listen_ports: BTreeMap<String, u16>,
}

impl Rendered {
    /// The port `listen 8080` became (every runnable fixture listens there).
    pub fn port(&self) -> u16 {
        self.listen_ports
            .get("8080")
            .or_else(|| self.listen_ports.values().next())
            .copied()
            .expect("the configuration listens nowhere")
    }

    pub fn main_text(&self) -> String {
        fs::read_to_string(&self.main).unwrap_or_default()
    }

    fn read_log(&self, name: &str) -> String {
        fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }
}

/// How the main file relates to the copied directory.
pub enum Main<'a> {
    /// The file at this path (relative to the copied directory) is the main file; its text is
    /// `text` (e.g. the output of `wscfg fix`) rather than what is on disk.
    File { rel: &'a Path, text: &'a str },
    /// The file at this path is a fragment meant for the `http` block (sites-available/,
    /// conf.d/): a minimal main file includes it, as the stock nginx.conf does.
    HttpFragment { rel: &'a Path, text: &'a str },
}

/// Copies `root` (templated) into a fresh temp directory and writes the main file. Fails
/// when the main text cannot be templated (wscfg's parser cannot read it).
pub fn render(root: &Path, main: Main<'_>, backends: Backends) -> Result<Rendered, String> {
    let dir = tempfile::Builder::new()
        .prefix("wscfg-e2e-")
        .tempdir()
        .expect("temp dir");
    let tmp = dir.path().to_owned();
    // Worker processes run as `nobody` when the tests run as root.
    set_mode(&tmp, 0o755);
    for sub in ["logs", "temp", "conf"] {
        fs::create_dir_all(tmp.join(sub)).unwrap();
    }
    let conf = tmp.join("conf");
    let mut listen_ports = BTreeMap::new();
    copy_templated(root, &conf, &mut listen_ports, backends, &tmp);
    for name in PACKAGED_FILES {
        let from = Path::new(PACKAGED_DIR).join(name);
        if from.is_file() && !conf.join(name).exists() {
            fs::copy(&from, conf.join(name)).unwrap();
        }
    }
    let (rel, text) = match main {
        Main::File { rel, text } | Main::HttpFragment { rel, text } => (rel, text),
    };
    let templated = template_file(text, &mut listen_ports, backends, &tmp).ok_or_else(|| {
        format!(
            "wscfg cannot parse {}, so it is not templated",
            rel.display()
        )
    })?;
    let main_path = match main {
        Main::File { .. } => {
            let path = conf.join(rel);
            fs::write(&path, template_main(&templated, &tmp)).unwrap();
            path
        }
        Main::HttpFragment { .. } => {
            fs::write(conf.join(rel), templated).unwrap();
            let wrapper = format!(
                "events {{}}\n\nhttp {{\n    include {};\n}}\n",
                rel.display()
            );
            let path = conf.join("e2e-nginx.conf");
            fs::write(&path, template_main(&wrapper, &tmp)).unwrap();
            path
        }
    };
    Ok(Rendered {
        dir,
        main: main_path,
        listen_ports,
    })
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn copy_templated(
    from: &Path,
    to: &Path,
    ports: &mut BTreeMap<String, u16>,
    backends: Backends,
    tmp: &Path,
) {
    fs::create_dir_all(to).unwrap();
    let mut entries: Vec<_> = fs::read_dir(from)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        let target = to.join(p.file_name().unwrap());
        let meta = fs::symlink_metadata(&p).unwrap();
        if meta.is_dir() {
            copy_templated(&p, &target, ports, backends, tmp);
        } else if meta.is_file() {
            let bytes = fs::read(&p).unwrap();
            let templated = String::from_utf8(bytes.clone())
                .ok()
                .and_then(|text| template_file(&text, ports, backends, tmp));
            match templated {
                Some(text) => fs::write(&target, text).unwrap(),
                None => fs::write(&target, bytes).unwrap(),
            }
        }
    }
}

/// `nginx -t` on the rendered configuration: `Ok(output)` when nginx accepts it.
pub fn test_config(r: &Rendered) -> Result<String, String> {
    let out = Command::new(binary())
        .arg("-t")
        .arg("-p")
        .arg(r.dir.path())
        .arg("-c")
        .arg(&r.main)
        .output()
        .expect("cannot run nginx -t");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(text)
    } else {
        Err(text)
    }
}

/// A running nginx (master and workers in their own process group). Dropping it stops the
/// whole group: SIGTERM, then SIGKILL if it has not gone within a few seconds.
pub struct Running {
    child: Child,
    pub port: u16,
    stderr_path: PathBuf,
}

impl Running {
    /// Starts nginx in the foreground and waits (bounded) until it accepts connections.
    pub async fn start(r: &Rendered) -> Result<Running, String> {
        use std::os::unix::process::CommandExt;
        let stderr_path = r.dir.path().join("nginx.stderr");
        let child = Command::new(binary())
            .arg("-p")
            .arg(r.dir.path())
            .arg("-c")
            .arg(&r.main)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(&stderr_path).unwrap())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start nginx: {e}"))?;
        let mut running = Running {
            child,
            port: r.port(),
            stderr_path,
        };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = running.child.try_wait() {
                return Err(format!(
                    "nginx exited at start ({status}):\n{}{}",
                    running.stderr(),
                    r.read_log("logs/error.log")
                ));
            }
            let addr = ("127.0.0.1", running.port);
            if let Ok(Ok(_)) = tokio::time::timeout(
                Duration::from_millis(200),
                tokio::net::TcpStream::connect(addr),
            )
            .await
            {
                return Ok(running);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "nginx did not open port {} within {START_TIMEOUT:?}:\n{}",
                    running.port,
                    running.stderr()
                ));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stderr(&self) -> String {
        fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }
}

/// Whether any process of the group nginx was started in (its own pid) is still there.
pub fn group_alive(pid: u32) -> bool {
    // SAFETY: signal 0 sends nothing; it only asks whether the group has a process left.
    unsafe { libc::kill(-(pid as libc::pid_t), 0) == 0 }
}

impl Drop for Running {
    fn drop(&mut self) {
        // The process group id is nginx's own pid (process_group(0)).
        let group = -(self.child.id() as libc::pid_t);
        // SAFETY: kill(2) with a negative pid signals exactly the group nginx created.
        unsafe { libc::kill(group, libc::SIGTERM) };
        let deadline = Instant::now() + STOP_TIMEOUT;
        loop {
            let master_gone = matches!(self.child.try_wait(), Ok(Some(_)));
            let group_gone = !group_alive(self.child.id());
            if master_gone && group_gone {
                return;
            }
            if Instant::now() > deadline {
                // SAFETY: as above; SIGKILL for whatever is left of the group.
                unsafe { libc::kill(group, libc::SIGKILL) };
                let _ = self.child.wait();
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
