//! The Kubernetes driver: each manifest parsed on its own, then its rules.

use super::{RULES, SYNTAX_ERROR};
use crate::diagnostic::Diagnostic;
use crate::formats::SyntaxError;
use crate::formats::k8s::{K8sContext, parse};
use crate::rules::driver::{Run, per_file};
use crate::source::SourceDb;

pub fn lint(db: &mut SourceDb, run: &Run<'_>) -> Vec<Diagnostic> {
    let db: &SourceDb = db;
    per_file(
        db,
        run,
        &SYNTAX_ERROR,
        |f| {
            parse(&f.text).map_err(|mut e: SyntaxError| {
                if f.text.contains("{{") {
                    e.message
                        .push_str(" (a Helm template: check the output of `helm template`)");
                }
                e
            })
        },
        |file, docs, out| {
            let cx = K8sContext { db, file, docs };
            crate::rules::run(RULES, &cx, run.config, out);
        },
    )
}
