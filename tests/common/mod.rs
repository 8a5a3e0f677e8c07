//! Helpers shared by the integration tests: walking files, a project in a temporary
//! directory and a way to run the built `wscfg` in it.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// An nginx file with a WebSocket location that lacks every header (NGX001, NGX002,
/// NGX003, NGX006).
pub const BROKEN: &str = "server {\n    listen 80;\n    location /ws/ {\n        proxy_pass http://app:8080;\n    }\n}\n";

pub struct Project {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    /// The rule codes in concise output, in order.
    pub fn codes(&self) -> Vec<String> {
        self.stdout
            .lines()
            .filter_map(|l| l.split(": ").nth(1))
            .filter_map(|rest| rest.split(' ').next())
            .map(str::to_owned)
            .collect()
    }
}

impl Project {
    pub fn new() -> Self {
        Project {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, text: &str) -> &Self {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(rel)).unwrap()
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let out = Command::cargo_bin("wscfg")
            .unwrap()
            .current_dir(self.dir.path())
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        Run {
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
            code: out.status.code().unwrap(),
        }
    }
}

/// Every file below `dir`, sorted, so test output and snapshots are stable.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
