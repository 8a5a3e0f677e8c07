//! `wscfg init` with no platform: a small look at the project (the configuration files wscfg
//! recognises, the app's start command where a common file states it, and whether the app
//! uses Socket.IO) and the `wscfg` commands that fit. It writes nothing.
//!
//! This is deliberately shallow: it reads only the project's top directory for the start
//! command. The project view (all models of a run together) will replace it.

use crate::formats::Format;
use crate::workspace;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The app's start command and where it was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartCommand {
    /// `Procfile (web)`, `package.json (scripts.start)`, ...
    pub source: String,
    pub command: String,
}

impl StartCommand {
    /// The port the command binds, when it names one literally.
    pub fn port(&self) -> Option<u16> {
        literal_port(&self.command)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Project {
    pub root: PathBuf,
    /// Paths relative to `root`.
    pub nginx: Vec<PathBuf>,
    pub fly: Vec<PathBuf>,
    pub railway: Vec<PathBuf>,
    pub apprunner: Vec<PathBuf>,
    pub start: Option<StartCommand>,
    /// The app depends on Socket.IO (`socket.io` in package.json, `python-socketio`).
    pub socketio: bool,
}

/// Directories never worth walking for configuration.
const SKIP_DIRS: &[&str] = &["node_modules", "target", ".venv", "venv", "__pycache__"];

impl Project {
    pub fn scan(root: &Path) -> Project {
        let mut p = Project {
            root: root.to_owned(),
            ..Project::default()
        };
        let rel = |path: &Path| path.strip_prefix(root).unwrap_or(path).to_owned();
        let (found, _errors) = workspace::discover(&[root.to_owned()]);
        for f in found {
            if f.path.components().any(|c| {
                c.as_os_str()
                    .to_str()
                    .is_some_and(|s| SKIP_DIRS.contains(&s))
            }) {
                continue;
            }
            match f.format {
                Format::Nginx => p.nginx.push(rel(&f.path)),
                Format::Fly => p.fly.push(rel(&f.path)),
                Format::Railway => p.railway.push(rel(&f.path)),
                Format::AppRunner => p.apprunner.push(rel(&f.path)),
                // Application files: the start command and Socket.IO are read below. The
                // other platforms have no generator to suggest.
                _ => {}
            }
        }
        p.start = start_command(root);
        p.socketio = uses_socketio(root);
        p
    }
}

fn read(root: &Path, name: &str) -> Option<String> {
    workspace::read_text(&root.join(name), 1024 * 1024).ok()
}

/// The start command, from the first of: Procfile `web:`, railway.toml/json
/// `deploy.startCommand`, package.json `scripts.start`, the Dockerfile's last `CMD`.
fn start_command(root: &Path) -> Option<StartCommand> {
    let found = |source: &str, command: &str| {
        let command = command.trim();
        (!command.is_empty()).then(|| StartCommand {
            source: source.to_owned(),
            command: command.to_owned(),
        })
    };
    if let Some(text) = read(root, "Procfile")
        && let Some(cmd) = text
            .lines()
            .find_map(|l| l.trim_start().strip_prefix("web:"))
    {
        return found("Procfile (web)", cmd);
    }
    if let Some(text) = read(root, "railway.toml")
        && let Ok(v) = text.parse::<toml::Table>()
        && let Some(cmd) = v
            .get("deploy")
            .and_then(|d| d.get("startCommand"))
            .and_then(|c| c.as_str())
    {
        return found("railway.toml (deploy.startCommand)", cmd);
    }
    if let Some(text) = read(root, "railway.json")
        && let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
        && let Some(cmd) = v["deploy"]["startCommand"].as_str()
    {
        return found("railway.json (deploy.startCommand)", cmd);
    }
    if let Some(text) = read(root, "package.json")
        && let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
        && let Some(cmd) = v["scripts"]["start"].as_str()
    {
        return found("package.json (scripts.start)", cmd);
    }
    if let Some(text) = read(root, "Dockerfile")
        && let Some(cmd) = text.lines().rev().find_map(|l| {
            let l = l.trim_start();
            l.get(..4)
                .filter(|k| k.eq_ignore_ascii_case("cmd "))
                .map(|_| l[4..].trim())
        })
    {
        // The exec form `["uvicorn", "app:app"]` reads as the command it runs.
        let cmd = serde_json::from_str::<Vec<String>>(cmd)
            .map(|parts| parts.join(" "))
            .unwrap_or_else(|_| cmd.to_owned());
        return found("Dockerfile (CMD)", &cmd);
    }
    None
}

fn uses_socketio(root: &Path) -> bool {
    let node = read(root, "package.json")
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| {
            ["dependencies", "devDependencies"]
                .iter()
                .any(|k| v[k].get("socket.io").is_some())
        });
    let python = ["requirements.txt", "pyproject.toml"].iter().any(|f| {
        read(root, f).is_some_and(|t| {
            t.to_ascii_lowercase()
                .lines()
                .any(|l| l.contains("python-socketio"))
        })
    });
    node || python
}

/// A port the command names literally: `--port 8000`, `--port=8000`, `-p 8000`,
/// `--bind 0.0.0.0:8000`, `-b :8000`, `PORT=8000`.
pub fn literal_port(command: &str) -> Option<u16> {
    let words: Vec<&str> = command
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'')
        .filter(|w| !w.is_empty())
        .collect();
    let port_of = |s: &str| s.rsplit(':').next().and_then(|p| p.parse::<u16>().ok());
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).copied();
        let value = match *w {
            "--port" | "-p" | "--bind" | "-b" => next,
            _ => ["--port=", "--bind=", "PORT="]
                .iter()
                .find_map(|pre| w.strip_prefix(pre)),
        };
        if let Some(p) = value.and_then(port_of).filter(|&p| p > 0) {
            return Some(p);
        }
    }
    None
}

/// Files named in the summary before "and N more".
const SHOWN: usize = 5;

fn list(paths: &[PathBuf]) -> String {
    let mut s = paths
        .iter()
        .take(SHOWN)
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if paths.len() > SHOWN {
        s.push_str(&format!(" and {} more", paths.len() - SHOWN));
    }
    s
}

/// Of several files, the one nearest the top, preferring the usual name.
fn nearest(files: &[PathBuf], usual: &str) -> Option<String> {
    files
        .iter()
        .min_by_key(|f| {
            (
                f.components().count(),
                f.file_name() != Some(usual.as_ref()),
            )
        })
        .map(|f| f.display().to_string())
}

/// ` -o PATH` unless the file is where `init` writes by default.
fn output_flag(path: &str, usual: &str) -> String {
    if path == usual {
        String::new()
    } else {
        format!(" -o {path}")
    }
}

/// What was found and the commands to run next.
pub fn suggest(p: &Project) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "wscfg init: what this project has and what to run next (nothing was written)."
    );
    let _ = writeln!(out);
    let found: Vec<(&str, String)> = [
        ("nginx", list(&p.nginx)),
        ("fly", list(&p.fly)),
        ("railway", list(&p.railway)),
        ("apprunner", list(&p.apprunner)),
    ]
    .into_iter()
    .filter(|(_, l)| !l.is_empty())
    .collect();
    if found.is_empty() && p.start.is_none() {
        let _ = writeln!(
            out,
            "Found no nginx, Fly.io or Railway configuration and no start command here."
        );
    } else {
        let _ = writeln!(out, "Found:");
        for (what, files) in &found {
            let _ = writeln!(out, "  {what:<8} {files}");
        }
        if let Some(s) = &p.start {
            let _ = writeln!(out, "  {:<8} {}  ({})", "start", s.command, s.source);
        }
        if p.socketio {
            let _ = writeln!(out, "  {:<8} the app depends on Socket.IO", "uses");
        }
    }
    let checkable: Vec<&PathBuf> = p
        .nginx
        .iter()
        .chain(&p.fly)
        .chain(&p.railway)
        .chain(&p.apprunner)
        .collect();
    if !checkable.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Check what is there:");
        let args = if checkable.len() > SHOWN {
            ".".to_owned()
        } else {
            checkable
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let _ = writeln!(out, "  wscfg check {args}");
    }
    let port = p.start.as_ref().and_then(StartCommand::port);
    let socketio = if p.socketio { " --socketio" } else { "" };
    let nginx = match port {
        Some(port) => format!("wscfg init nginx --upstream 127.0.0.1:{port}{socketio}"),
        None => format!("wscfg init nginx --upstream 127.0.0.1:PORT{socketio}"),
    };
    let fly = match port {
        Some(port) => format!("wscfg init fly --http-port {port}"),
        None => "wscfg init fly --http-port PORT".to_owned(),
    };
    let _ = writeln!(out);
    let _ = writeln!(out, "Generate a WebSocket-ready configuration:");
    let mut line = |cmd: String, why: &str| {
        let _ = writeln!(out, "  {cmd:<56} {why}");
    };
    if p.nginx.is_empty() {
        line(nginx, "# nginx in front of the app");
    } else {
        line(
            format!("{nginx} -o -"),
            "# compare with your nginx files (stdout)",
        );
    }
    match nearest(&p.fly, "fly.toml") {
        None => line(fly, "# fly.toml"),
        Some(path) => line(
            format!("{fly}{} --diff", output_flag(&path, "fly.toml")),
            &format!("# what wscfg would change in {path}"),
        ),
    }
    let railway = match &p.start {
        Some(s) => format!(
            "wscfg init railway --start '{}'",
            s.command.replace('\'', "'\\''")
        ),
        None => "wscfg init railway".to_owned(),
    };
    match nearest(&p.railway, "railway.toml") {
        None => line(railway, "# railway.toml"),
        Some(path) if path.ends_with(".json") => line(
            format!("{railway} -o -"),
            &format!("# compare with {path} (stdout, TOML)"),
        ),
        Some(path) => line(
            format!("{railway}{} --diff", output_flag(&path, "railway.toml")),
            &format!("# what wscfg would change in {path}"),
        ),
    }
    if port.is_none() {
        let _ = writeln!(
            out,
            "  (PORT: the port the app listens on{})",
            if p.start.is_some() {
                "; the start command does not name it literally"
            } else {
                ""
            }
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_ports() {
        for (cmd, port) in [
            (
                "uvicorn app.main:app --host 0.0.0.0 --port 8000",
                Some(8000),
            ),
            ("uvicorn app:app --port=9000", Some(9000)),
            ("gunicorn -b 0.0.0.0:5000 app:app", Some(5000)),
            ("gunicorn --bind :7000 app:app", Some(7000)),
            ("PORT=3000 node server.js", Some(3000)),
            ("uvicorn app:app --port $PORT", None),
            ("node server.js", None),
            ("daphne -p 8001 proj.asgi:application", Some(8001)),
        ] {
            let s = StartCommand {
                source: String::new(),
                command: cmd.into(),
            };
            assert_eq!(s.port(), port, "{cmd}");
        }
    }

    #[test]
    fn start_command_sources_in_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Dockerfile"),
            "FROM python\nCMD [\"uvicorn\", \"app:app\", \"--port\", \"8000\"]\n",
        )
        .unwrap();
        let s = start_command(dir.path()).unwrap();
        assert_eq!(s.command, "uvicorn app:app --port 8000");
        assert_eq!(s.source, "Dockerfile (CMD)");
        std::fs::write(
            dir.path().join("package.json"),
            r#"{"scripts": {"start": "node server.js"}, "dependencies": {"socket.io": "^4"}}"#,
        )
        .unwrap();
        assert_eq!(start_command(dir.path()).unwrap().command, "node server.js");
        assert!(uses_socketio(dir.path()));
        std::fs::write(
            dir.path().join("Procfile"),
            "web: daphne -p 9000 a.asgi:app\n",
        )
        .unwrap();
        let s = start_command(dir.path()).unwrap();
        assert_eq!(
            (s.source.as_str(), s.port()),
            ("Procfile (web)", Some(9000))
        );
    }
}
