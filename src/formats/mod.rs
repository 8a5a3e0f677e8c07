//! The file formats wscfg understands, and how a file is recognised as one of them.

pub mod fly;
pub mod nginx;

use serde::Serialize;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Nginx,
    Fly,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Nginx => "nginx",
            Format::Fly => "fly",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "nginx" => Some(Format::Nginx),
            "fly" => Some(Format::Fly),
            _ => None,
        }
    }

    /// Name first, then content. `named` is true for a file the user named explicitly, which
    /// is given the benefit of the doubt for ambiguous extensions.
    pub fn detect(path: &Path, named: bool) -> Option<Format> {
        if fly::detect_by_name(path) {
            return Some(Format::Fly);
        }
        if nginx::detect::by_name(path) {
            return Some(Format::Nginx);
        }
        if fly::detect_by_content(path, named) {
            return Some(Format::Fly);
        }
        if nginx::detect::by_content(path, named) {
            return Some(Format::Nginx);
        }
        None
    }
}
