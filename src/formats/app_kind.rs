//! Which app-side files the project view reads: dependency manifests, `Procfile`,
//! `Dockerfile`, `.env*`, compose files, and JS/TS/Python/Go/Ruby/Elixir sources. Vendored,
//! generated and test trees are skipped, and sources over [`MAX_SOURCE_SIZE`] are not read
//! (minified bundles say nothing a scan could trust).

use std::path::Path;

/// Sources larger than this are skipped by discovery.
pub const MAX_SOURCE_SIZE: u64 = 512 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Js,
    Python,
    Go,
    Ruby,
    Elixir,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Source(Lang),
    /// `.env`, `.env.production`, …
    Env,
    PackageJson,
    /// `requirements*.txt`, `pyproject.toml`, `Pipfile`.
    PythonDeps,
    Procfile,
    Dockerfile,
    Compose,
}

/// Directories whose files are dependencies, build output or caches, never the project's own.
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "vendor",
    "dist",
    "build",
    ".next",
    ".nuxt",
    ".svelte-kit",
    "out",
    "coverage",
    ".venv",
    "venv",
    "__pycache__",
    "site-packages",
    "target",
    "_build",
    "deps",
    ".git",
];

fn in_skipped_dir(path: &Path) -> bool {
    let Some(parent) = path.parent() else {
        return false;
    };
    parent.components().any(|c| {
        c.as_os_str()
            .to_str()
            .is_some_and(|s| SKIPPED_DIRS.contains(&s))
    })
}

fn is_test_file(name: &str) -> bool {
    name.contains(".test.")
        || name.contains(".spec.")
        || name.ends_with("_test.go")
        || name.ends_with("_test.py")
        || name.starts_with("test_") && name.ends_with(".py")
        || name.ends_with("_spec.rb")
        || name.ends_with("_test.exs")
}

/// `.env` and `.env.<anything>` (not `.envrc`).
pub fn is_env_name(name: &str) -> bool {
    name == ".env" || name.starts_with(".env.")
}

/// The kind of an app-side file, by name only.
pub fn by_name(path: &Path) -> Option<Kind> {
    let name = path.file_name()?.to_str()?;
    if in_skipped_dir(path) {
        return None;
    }
    if is_env_name(name) {
        return Some(Kind::Env);
    }
    match name {
        "package.json" => return Some(Kind::PackageJson),
        "pyproject.toml" | "Pipfile" => return Some(Kind::PythonDeps),
        "Procfile" => return Some(Kind::Procfile),
        _ => {}
    }
    if name.starts_with("requirements") && name.ends_with(".txt") {
        return Some(Kind::PythonDeps);
    }
    if name == "Dockerfile" || name.starts_with("Dockerfile.") || name.ends_with(".Dockerfile") {
        return Some(Kind::Dockerfile);
    }
    if (name.starts_with("docker-compose") || name.starts_with("compose."))
        && (name.ends_with(".yml") || name.ends_with(".yaml"))
    {
        return Some(Kind::Compose);
    }
    if is_test_file(name) || name.ends_with(".min.js") || name.ends_with(".d.ts") {
        return None;
    }
    let ext = name.rsplit_once('.')?.1;
    let lang = match ext {
        "js" | "jsx" | "mjs" | "cjs" | "ts" | "tsx" | "mts" | "cts" | "vue" | "svelte" => Lang::Js,
        "py" => Lang::Python,
        "go" => Lang::Go,
        "rb" => Lang::Ruby,
        "ex" | "exs" => Lang::Elixir,
        _ => return None,
    };
    Some(Kind::Source(lang))
}

/// [`by_name`], with sources over [`MAX_SOURCE_SIZE`] left out.
pub fn detect(path: &Path) -> Option<Kind> {
    let kind = by_name(path)?;
    if matches!(kind, Kind::Source(_))
        && std::fs::metadata(path).is_ok_and(|m| m.len() > MAX_SOURCE_SIZE)
    {
        return None;
    }
    Some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_name() {
        let k = |p: &str| by_name(Path::new(p));
        assert_eq!(k("web/.env.production"), Some(Kind::Env));
        assert_eq!(k(".envrc"), None);
        assert_eq!(k("api/requirements-prod.txt"), Some(Kind::PythonDeps));
        assert_eq!(k("api/main.py"), Some(Kind::Source(Lang::Python)));
        assert_eq!(k("web/src/socket.tsx"), Some(Kind::Source(Lang::Js)));
        assert_eq!(k("web/node_modules/ws/index.js"), None);
        assert_eq!(k("web/dist/app.js"), None);
        assert_eq!(k("web/src/socket.test.ts"), None);
        assert_eq!(k("api/test_ws.py"), None);
        assert_eq!(k("Dockerfile"), Some(Kind::Dockerfile));
        assert_eq!(k("api.Dockerfile"), Some(Kind::Dockerfile));
        assert_eq!(k("docker-compose.prod.yml"), Some(Kind::Compose));
        assert_eq!(k("compose.yaml"), Some(Kind::Compose));
        assert_eq!(k("composer.yaml"), None);
        assert_eq!(k("README.md"), None);
    }
}
