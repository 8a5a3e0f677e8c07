//! The Apache httpd driver: each file parsed on its own, then its rules.

use super::{RULES, SYNTAX_ERROR};
use crate::diagnostic::Diagnostic;
use crate::formats::apache::{ApacheContext, parse};
use crate::rules::driver::{Run, per_file};
use crate::source::SourceDb;

pub fn lint(db: &mut SourceDb, run: &Run<'_>) -> Vec<Diagnostic> {
    let db: &SourceDb = db;
    per_file(
        db,
        run,
        &SYNTAX_ERROR,
        |f| parse(&f.text),
        |file, cfg, out| {
            let cx = ApacheContext { db, file, cfg };
            crate::rules::run(RULES, &cx, run.config, out);
        },
    )
}
