//! NGX000 syntax-error, for what the parser accepts but `nginx -t` refuses: an unknown
//! directive, one in a context that does not take it, a wrong argument count, a repeat its
//! module refuses, a table entry its block cannot read. The checks are the model's
//! ([`crate::formats::nginx::syntax`]); this reports them with nginx's wording.

use crate::diagnostic::Diagnostic;
use crate::formats::nginx::NginxContext;
use crate::formats::nginx::syntax;
use crate::rules::{Rule, RuleMeta};

pub struct SyntaxError;

impl<'a> Rule<NginxContext<'a>> for SyntaxError {
    fn meta(&self) -> &'static RuleMeta {
        &super::SYNTAX_ERROR
    }

    fn check(&self, cx: &NginxContext<'a>, out: &mut Vec<Diagnostic>) {
        out.extend(syntax::check(cx).into_iter().map(|p| {
            let d = super::SYNTAX_ERROR.diag(p.file, p.span, p.message);
            match p.directive {
                Some(name) => d.label(p.file, name, "the directive starts here"),
                None => d,
            }
        }));
    }
}
