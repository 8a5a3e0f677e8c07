//! The dependencies a deployment manifest's project declares, read from the files next to it
//! (or in the directories above it, up to the repository root): `requirements*.txt`,
//! `pyproject.toml` (PEP 621 and Poetry), `Pipfile`, `poetry.lock`, `uv.lock`, `Pipfile.lock`
//! and `package.json`. Each ecosystem is taken from the nearest directory that has any of its
//! files, the way the platform's builder would find them. Names are normalised (PEP 503 for
//! Python), each with the byte span of where the file names it.

use std::path::{Path, PathBuf};

use crate::source::{FileId, SourceDb, Span};
use crate::workspace;

/// Directories looked at above the manifest's own, when no repository root is found first.
const MAX_ANCESTORS: usize = 6;
/// Dependency files larger than this are skipped (lock files of huge monorepos).
const MAX_DEP_FILE: u64 = 8 * 1024 * 1024;
/// `-r other.txt` includes followed from a requirements file.
const MAX_INCLUDE_DEPTH: usize = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ecosystem {
    Python,
    Node,
}

/// One declared dependency.
#[derive(Clone, Debug)]
pub struct Dep {
    /// Normalised name (`python-socketio`, `@nestjs/websockets`).
    pub name: String,
    /// Extras, lower-cased (`uvicorn[standard]` → `["standard"]`).
    pub extras: Vec<String>,
    /// Where the file names it.
    pub span: Span,
    /// Found in a lock file: installed, though maybe only as a dependency of a dependency.
    pub locked: bool,
}

#[derive(Clone, Debug)]
pub struct DepFile {
    pub path: PathBuf,
    pub text: String,
    pub deps: Vec<Dep>,
    /// The packages are installed by commands in the manifest itself (`buildCommand =
    /// "pip install …"`); their spans are spans of the manifest, and `text` is empty.
    pub in_manifest: bool,
}

/// The dependency files of one ecosystem, all from one directory (plus requirement includes).
#[derive(Clone, Debug, Default)]
pub struct EcosystemDeps {
    pub files: Vec<DepFile>,
}

impl EcosystemDeps {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = (&DepFile, &Dep)> {
        self.files
            .iter()
            .flat_map(|f| f.deps.iter().map(move |d| (f, d)))
    }
    pub fn find(&self, name: &str) -> Option<(&DepFile, &Dep)> {
        let (python, npm) = (normalise(name), name.to_ascii_lowercase());
        self.iter().find(|(_, d)| d.name == python || d.name == npm)
    }
    /// File names, for messages (`requirements.txt, pyproject.toml`).
    pub fn describe(&self) -> String {
        let names: Vec<String> = self
            .files
            .iter()
            .map(|f| {
                if f.in_manifest {
                    return "the build command".to_owned();
                }
                f.path.file_name().map_or_else(
                    || f.path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                )
            })
            .collect();
        names.join(", ")
    }
}

#[derive(Clone, Debug, Default)]
pub struct ProjectDeps {
    pub python: EcosystemDeps,
    pub node: EcosystemDeps,
}

impl ProjectDeps {
    /// The dependency files for a manifest at `manifest`, as the run's sources hold them (an
    /// editor's unsaved buffer is what counts; the disk is not read): its directory first,
    /// then its ancestors up to `root` (inclusive) when given, else up to the directory
    /// holding `.git`, at most [`MAX_ANCESTORS`] levels up. Malformed files are skipped.
    /// [`read_into`] put the files there before linting.
    pub fn for_manifest(db: &SourceDb, manifest: &Path, root: Option<&Path>) -> ProjectDeps {
        ProjectDeps::search(Files { db, disk: false }, manifest, root)
    }

    fn search(files: Files<'_>, manifest: &Path, root: Option<&Path>) -> ProjectDeps {
        let mut out = ProjectDeps::default();
        for dir in search_dirs(manifest, root) {
            if out.python.is_empty() {
                out.python = read_python(files, &dir);
            }
            if out.node.is_empty() {
                out.node = read_node(files, &dir);
            }
            if !out.python.is_empty() && !out.node.is_empty() {
                break;
            }
        }
        out
    }

    /// Adds the packages that commands in the manifest at `manifest` install; `spans` gives
    /// each package word's span in the manifest.
    pub fn add_manifest_installs(&mut self, manifest: &Path, installs: &[(bool, &str, Span)]) {
        for python in [true, false] {
            let deps: Vec<Dep> = installs
                .iter()
                .filter(|(p, _, _)| *p == python)
                .filter_map(|(_, spec, span)| {
                    let mut d = if python {
                        pep508(spec, 0, false)?
                    } else {
                        npm_spec(spec)?
                    };
                    d.span = *span;
                    Some(d)
                })
                .collect();
            if deps.is_empty() {
                continue;
            }
            let eco = if python {
                &mut self.python
            } else {
                &mut self.node
            };
            eco.files.push(DepFile {
                path: manifest.to_path_buf(),
                text: String::new(),
                deps,
                in_manifest: true,
            });
        }
    }

    pub fn ecosystem(&self, e: Ecosystem) -> &EcosystemDeps {
        match e {
            Ecosystem::Python => &self.python,
            Ecosystem::Node => &self.node,
        }
    }

    /// Dependencies that run a WebSocket (or Socket.IO) server, with what they are.
    pub fn websocket_servers(&self) -> Vec<(&DepFile, &Dep, &'static str)> {
        let mut out = Vec::new();
        for (eco, table) in [(&self.python, PY_WS_SERVERS), (&self.node, NODE_WS_SERVERS)] {
            for (f, d) in eco.iter().filter(|(_, d)| !d.locked) {
                if let Some((_, what)) = table.iter().find(|(n, _)| *n == d.name) {
                    out.push((f, d, *what));
                }
            }
        }
        out
    }

    /// The dependency that gives uvicorn a WebSocket implementation, if any: `websockets`,
    /// `wsproto`, `uvicorn[standard]` or `fastapi[standard]` (which pulls in the former).
    pub fn uvicorn_websocket_support(&self) -> Option<(&DepFile, &Dep)> {
        self.python.iter().find(|(_, d)| {
            matches!(d.name.as_str(), "websockets" | "wsproto")
                || (matches!(d.name.as_str(), "uvicorn" | "fastapi")
                    && d.extras
                        .iter()
                        .any(|e| e.starts_with("standard") || e == "all"))
        })
    }
}

/// Python packages whose presence means the app serves WebSockets or Socket.IO.
const PY_WS_SERVERS: &[(&str, &str)] = &[
    ("websockets", "the `websockets` server library"),
    ("python-socketio", "a Socket.IO server"),
    ("flask-socketio", "a Socket.IO server"),
    ("fastapi-socketio", "a Socket.IO server"),
    ("channels", "Django Channels"),
    ("daphne", "daphne, the Django Channels server"),
    ("flask-sock", "flask-sock WebSocket routes"),
    (
        "streamlit",
        "Streamlit, whose browser session is a WebSocket",
    ),
    (
        "chainlit",
        "Chainlit, which talks to the browser over Socket.IO",
    ),
    ("reflex", "Reflex, whose state syncs over a WebSocket"),
    (
        "nicegui",
        "NiceGUI, which talks to the browser over Socket.IO",
    ),
    ("gradio", "Gradio"),
    ("panel", "Panel, a Bokeh server"),
    ("bokeh", "a Bokeh server"),
    ("shiny", "Shiny, whose sessions are WebSockets"),
    ("solara", "Solara, whose widgets sync over a WebSocket"),
];

/// npm packages whose presence means the app serves WebSockets or Socket.IO.
const NODE_WS_SERVERS: &[(&str, &str)] = &[
    ("ws", "the `ws` WebSocket server"),
    ("socket.io", "a Socket.IO server"),
    ("@socket.io/redis-adapter", "a Socket.IO server"),
    ("uwebsockets.js", "a uWebSockets.js server"),
    ("@fastify/websocket", "fastify WebSocket routes"),
    ("express-ws", "express-ws WebSocket routes"),
    ("@nestjs/websockets", "NestJS WebSocket gateways"),
    ("@nestjs/platform-socket.io", "NestJS Socket.IO gateways"),
    ("@nestjs/platform-ws", "NestJS WebSocket gateways"),
    ("graphql-ws", "GraphQL subscriptions over WebSockets"),
    (
        "subscriptions-transport-ws",
        "GraphQL subscriptions over WebSockets",
    ),
    ("y-websocket", "a y-websocket server"),
    ("@hocuspocus/server", "a Hocuspocus WebSocket server"),
    ("sockjs", "a SockJS server"),
    ("@hono/node-ws", "Hono WebSocket routes"),
    ("@elysiajs/websocket", "Elysia WebSocket routes"),
];

/// `ws`, `ws@8`, `@nestjs/websockets@10`: the package name of an npm install argument.
fn npm_spec(spec: &str) -> Option<Dep> {
    let spec = spec.trim();
    let name = match spec.strip_prefix('@') {
        Some(rest) => match rest.find('@') {
            Some(at) => &spec[..at + 1],
            None => spec,
        },
        None => spec.split('@').next().unwrap_or(spec),
    };
    (!name.is_empty()).then(|| Dep {
        name: name.to_ascii_lowercase(),
        extras: Vec::new(),
        span: Span::new(0, name.len()),
        locked: false,
    })
}

/// PEP 503 normalisation of a Python distribution name.
pub fn normalise(name: &str) -> String {
    let lower = name.trim().to_ascii_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut sep = false;
    for c in lower.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c);
        }
    }
    out
}

pub(crate) fn search_dirs(manifest: &Path, root: Option<&Path>) -> Vec<PathBuf> {
    let start = manifest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let start = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
    let root = root.and_then(|r| std::fs::canonicalize(r).ok());
    // Paths under the working directory are shown relative to it, as the user names files.
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| std::fs::canonicalize(c).ok());
    let shown = |dir: &Path| match cwd.as_ref().and_then(|c| dir.strip_prefix(c).ok()) {
        Some(rel) => rel.to_path_buf(),
        None => dir.to_path_buf(),
    };
    let mut out = Vec::new();
    for dir in start.ancestors().take(MAX_ANCESTORS + 1) {
        if root.as_ref().is_some_and(|r| !dir.starts_with(r)) {
            break;
        }
        out.push(shown(dir));
        let at_root = match &root {
            Some(r) => dir == r,
            None => dir.join(".git").exists(),
        };
        if at_root {
            break;
        }
    }
    out
}

/// Reads the dependency files the manifest at `manifest` would use into `db`, before
/// linting: a file `db` already holds (an editor's buffer, a checked file) is not read again.
pub fn read_into(db: &mut SourceDb, manifest: &Path) {
    let found = ProjectDeps::search(Files { db, disk: true }, manifest, None);
    for f in found.python.files.into_iter().chain(found.node.files) {
        if source_of(db, &f.path).is_none() {
            db.add(f.path, f.text);
        }
    }
}

/// The run's copy of `path`: added under the path as the search shows it (`./x` for the
/// working directory's files), without the `./`, or under its absolute path (as an editor
/// may name its buffers).
pub fn source_of(db: &SourceDb, path: &Path) -> Option<FileId> {
    let plain = path.strip_prefix(".").unwrap_or(path);
    db.find(path).or_else(|| db.find(plain)).or_else(|| {
        let cwd = std::env::current_dir()
            .ok()
            .filter(|_| path.is_relative())?;
        db.find(&cwd.join(plain))
    })
}

/// Where the search reads files: the run's sources, and the disk only before linting.
#[derive(Clone, Copy)]
struct Files<'a> {
    db: &'a SourceDb,
    disk: bool,
}

impl Files<'_> {
    fn read(self, path: &Path) -> Option<String> {
        if let Some(id) = source_of(self.db, path) {
            return Some(self.db.get(id).text.clone());
        }
        if !self.disk {
            return None;
        }
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_file() {
            return None;
        }
        workspace::read_text(path, MAX_DEP_FILE).ok()
    }

    /// `requirements*.txt` and `requirements*.in` in `dir`, sorted.
    fn requirement_files(self, dir: &Path) -> Vec<PathBuf> {
        let is_requirements = |p: &Path| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with("requirements") && (n.ends_with(".txt") || n.ends_with(".in"))
            })
        };
        let listing = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let mut reqs: Vec<PathBuf> = if self.disk {
            std::fs::read_dir(listing)
                .map(|d| {
                    d.filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| is_requirements(p))
                        .collect()
                })
                .unwrap_or_default()
        } else {
            let absolute = std::env::current_dir().map(|c| c.join(dir)).ok();
            [Some(dir), Some(listing), absolute.as_deref()]
                .into_iter()
                .flatten()
                .flat_map(|d| self.db.in_dir(d))
                .map(|&id| &self.db.get(id).path)
                .filter(|p| is_requirements(p))
                .filter_map(|p| Some(listing.join(p.file_name()?)))
                .collect()
        };
        reqs.sort();
        reqs.dedup();
        reqs
    }
}

fn read_python(files: Files<'_>, dir: &Path) -> EcosystemDeps {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for r in files.requirement_files(dir) {
        read_requirements(files, &r, 0, &mut seen, &mut out);
    }
    let mut files_found = out;
    for (name, parse) in [
        ("pyproject.toml", parse_pyproject as fn(&str) -> Vec<Dep>),
        ("Pipfile", parse_pipfile),
        ("poetry.lock", parse_toml_lock),
        ("uv.lock", parse_toml_lock),
        ("Pipfile.lock", parse_pipfile_lock),
    ] {
        let path = dir.join(name);
        if let Some(text) = files.read(&path) {
            let deps = parse(&text);
            files_found.push(DepFile {
                path,
                text,
                deps,
                in_manifest: false,
            });
        }
    }
    EcosystemDeps { files: files_found }
}

fn read_requirements(
    files: Files<'_>,
    path: &Path,
    depth: usize,
    seen: &mut Vec<PathBuf>,
    out: &mut Vec<DepFile>,
) {
    let canon = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if seen.contains(&canon) || depth > MAX_INCLUDE_DEPTH {
        return;
    }
    seen.push(canon);
    let Some(text) = files.read(path) else { return };
    let (deps, includes) = parse_requirements(&text);
    out.push(DepFile {
        path: path.to_path_buf(),
        text,
        deps,
        in_manifest: false,
    });
    let dir = path.parent().unwrap_or(Path::new("."));
    for inc in includes {
        read_requirements(files, &dir.join(inc), depth + 1, seen, out);
    }
}

fn read_node(files: Files<'_>, dir: &Path) -> EcosystemDeps {
    let path = dir.join("package.json");
    let Some(text) = files.read(&path) else {
        return EcosystemDeps::default();
    };
    let deps = parse_package_json(&text);
    EcosystemDeps {
        files: vec![DepFile {
            path,
            text,
            deps,
            in_manifest: false,
        }],
    }
}

/// A PEP 508 requirement: `name[extra,...]` at the start of `s`, then anything.
fn pep508(s: &str, offset: usize, locked: bool) -> Option<Dep> {
    let lead = s.len() - s.trim_start().len();
    let body = &s[lead..];
    let end = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(body.len());
    if end == 0 {
        return None;
    }
    let name = &body[..end];
    let rest = body[end..].trim_start();
    let extras = rest
        .strip_prefix('[')
        .and_then(|r| r.split_once(']'))
        .map(|(inner, _)| {
            inner
                .split(',')
                .map(|e| e.trim().to_ascii_lowercase())
                .filter(|e| !e.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Some(Dep {
        name: normalise(name),
        extras,
        span: Span::new(offset + lead, offset + lead + end),
        locked,
    })
}

/// Requirements and the files it includes with `-r` / `--requirement`.
pub fn parse_requirements(text: &str) -> (Vec<Dep>, Vec<String>) {
    let mut deps = Vec::new();
    let mut includes = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = match line
            .find(" #")
            .or_else(|| line.trim_start().starts_with('#').then_some(0))
        {
            Some(i) => &line[..i],
            None => line,
        };
        let t = content.trim();
        if t.is_empty() {
            continue;
        }
        if let Some(rest) = t
            .strip_prefix("-r ")
            .or_else(|| t.strip_prefix("--requirement "))
            .or_else(|| t.strip_prefix("--requirement="))
        {
            includes.push(rest.trim().to_owned());
            continue;
        }
        if t.starts_with('-') || t.contains("://") {
            continue;
        }
        if let Some(d) = pep508(content.trim_end_matches(['\r', '\n']), start, false) {
            deps.push(d);
        }
    }
    (deps, includes)
}

/// String items of a TOML array with the offset of their first character (after the quotes).
fn toml_string_items<'a>(
    arr: &'a toml_edit::Array,
    text: &'a str,
) -> impl Iterator<Item = (String, usize)> + 'a {
    arr.iter().filter_map(move |v| {
        let s = v.as_str()?;
        let span = v.span()?;
        let raw = text.get(span.clone())?;
        let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
            3
        } else {
            1
        };
        Some((s.to_owned(), span.start + quote))
    })
}

fn toml_key_deps(table: &dyn toml_edit::TableLike, skip: &[&str], locked: bool) -> Vec<Dep> {
    table
        .iter()
        .filter(|(k, _)| !skip.contains(k))
        .filter_map(|(k, item)| {
            let span = table.key(k).and_then(toml_edit::Key::span)?;
            let extras = item
                .as_table_like()
                .and_then(|t| t.get("extras"))
                .and_then(|e| e.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_ascii_lowercase))
                        .collect()
                })
                .unwrap_or_default();
            Some(Dep {
                name: normalise(k),
                extras,
                span: Span::new(span.start, span.end),
                locked,
            })
        })
        .collect()
}

pub fn parse_pyproject(text: &str) -> Vec<Dep> {
    let Ok(doc) = toml_edit::Document::parse(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(arr) = doc
        .get("project")
        .and_then(|p| p.get("dependencies"))
        .and_then(|d| d.as_array())
    {
        for (s, at) in toml_string_items(arr, text) {
            out.extend(pep508(&s, at, false));
        }
    }
    if let Some(t) = doc
        .get("tool")
        .and_then(|t| t.get("poetry"))
        .and_then(|p| p.get("dependencies"))
        .and_then(|d| d.as_table_like())
    {
        out.extend(toml_key_deps(t, &["python"], false));
    }
    out
}

pub fn parse_pipfile(text: &str) -> Vec<Dep> {
    let Ok(doc) = toml_edit::Document::parse(text) else {
        return Vec::new();
    };
    doc.get("packages")
        .and_then(|p| p.as_table_like())
        .map(|t| toml_key_deps(t, &[], false))
        .unwrap_or_default()
}

/// `[[package]] name = "…"` in poetry.lock and uv.lock.
pub fn parse_toml_lock(text: &str) -> Vec<Dep> {
    let Ok(doc) = toml_edit::Document::parse(text) else {
        return Vec::new();
    };
    let Some(pkgs) = doc.get("package").and_then(|p| p.as_array_of_tables()) else {
        return Vec::new();
    };
    pkgs.iter()
        .filter_map(|t| {
            let v = t.get("name")?.as_value()?;
            let span = v.span()?;
            Some(Dep {
                name: normalise(v.as_str()?),
                extras: Vec::new(),
                span: Span::new(span.start, span.end),
                locked: true,
            })
        })
        .collect()
}

/// `python`: names are PEP 503-normalised; otherwise (npm) only lower-cased.
fn json_object_keys(obj: &jsonc_parser::ast::Object, locked: bool, python: bool) -> Vec<Dep> {
    obj.properties
        .iter()
        .map(|p| {
            let (name, r) = match &p.name {
                jsonc_parser::ast::ObjectPropName::String(s) => (s.value.to_string(), s.range),
                jsonc_parser::ast::ObjectPropName::Word(w) => (w.value.to_owned(), w.range),
            };
            Dep {
                name: if python {
                    normalise(&name)
                } else {
                    name.trim().to_ascii_lowercase()
                },
                extras: Vec::new(),
                span: Span::new(r.start, r.end),
                locked,
            }
        })
        .collect()
}

fn parse_json(text: &str) -> Option<jsonc_parser::ast::Value<'_>> {
    jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default())
        .ok()?
        .value
}

pub fn parse_pipfile_lock(text: &str) -> Vec<Dep> {
    let Some(jsonc_parser::ast::Value::Object(root)) = parse_json(text) else {
        return Vec::new();
    };
    match root.get("default").map(|p| &p.value) {
        Some(jsonc_parser::ast::Value::Object(o)) => json_object_keys(o, true, true),
        _ => Vec::new(),
    }
}

/// `dependencies` and `optionalDependencies` (what a production install gets).
pub fn parse_package_json(text: &str) -> Vec<Dep> {
    let Some(jsonc_parser::ast::Value::Object(root)) = parse_json(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for key in ["dependencies", "optionalDependencies"] {
        if let Some(jsonc_parser::ast::Value::Object(o)) = root.get(key).map(|p| &p.value) {
            out.extend(json_object_keys(o, false, false));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_with_extras_comments_and_includes() {
        let text = "# web\nfastapi==0.115\nuvicorn[standard] >=0.30 # server\n-r base.txt\n-e .\nWebSockets\n";
        let (deps, inc) = parse_requirements(text);
        let names: Vec<_> = deps.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["fastapi", "uvicorn", "websockets"]);
        assert_eq!(deps[1].extras, ["standard"]);
        assert_eq!(&text[deps[1].span.range()], "uvicorn");
        assert_eq!(&text[deps[2].span.range()], "WebSockets");
        assert_eq!(inc, ["base.txt"]);
    }

    #[test]
    fn pyproject_pep621_and_poetry() {
        let text = "[project]\ndependencies = [\"python-socketio>=5\", 'uvicorn[standard]']\n\n[tool.poetry.dependencies]\npython = \"^3.12\"\nChannels = { version = \"4\", extras = [\"daphne\"] }\n";
        let deps = parse_pyproject(text);
        let names: Vec<_> = deps.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["python-socketio", "uvicorn", "channels"]);
        assert_eq!(&text[deps[0].span.range()], "python-socketio");
        assert_eq!(&text[deps[1].span.range()], "uvicorn");
        assert_eq!(deps[1].extras, ["standard"]);
        assert_eq!(&text[deps[2].span.range()], "Channels");
        assert_eq!(deps[2].extras, ["daphne"]);
    }

    #[test]
    fn pipfile_locks_and_package_json() {
        let deps =
            parse_pipfile("[packages]\nflask-socketio = \"*\"\n[dev-packages]\npytest = \"*\"\n");
        assert_eq!(deps.len(), 1);
        assert_eq!(deps[0].name, "flask-socketio");
        let deps = parse_toml_lock("[[package]]\nname = \"websockets\"\nversion = \"13\"\n");
        assert!(deps[0].locked && deps[0].name == "websockets");
        let pkg = "{\n\t\"dependencies\": {\"socket.io\": \"^4\", \"@NestJS/websockets\": \"10\"},\n\t\"devDependencies\": {\"ws\": \"8\"},\n}";
        let deps = parse_package_json(pkg);
        let names: Vec<_> = deps.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["socket.io", "@nestjs/websockets"]);
        assert_eq!(&pkg[deps[0].span.range()], "\"socket.io\"");
    }

    #[test]
    fn normalises_like_pep_503() {
        assert_eq!(normalise("Flask_SocketIO"), "flask-socketio");
        assert_eq!(normalise("zope.interface"), "zope-interface");
    }

    #[test]
    fn nearest_directory_wins_and_search_stops_at_root() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::write(root.join("requirements.txt"), "websockets\n").unwrap();
        std::fs::write(
            root.join("package.json"),
            "{\"dependencies\":{\"ws\":\"8\"}}",
        )
        .unwrap();
        let svc = root.join("api");
        std::fs::create_dir(&svc).unwrap();
        std::fs::write(svc.join("requirements.txt"), "uvicorn\n").unwrap();
        let mut db = SourceDb::default();
        read_into(&mut db, &svc.join("railway.toml"));
        let deps = ProjectDeps::search(
            Files {
                db: &db,
                disk: false,
            },
            &svc.join("railway.toml"),
            Some(root),
        );
        assert!(deps.python.find("uvicorn").is_some());
        assert!(deps.python.find("websockets").is_none());
        assert!(deps.node.find("ws").is_some());
        let only_svc = ProjectDeps::for_manifest(&db, &svc.join("railway.toml"), Some(&svc));
        assert!(only_svc.node.is_empty());
    }
}
