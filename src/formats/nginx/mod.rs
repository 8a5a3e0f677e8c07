//! nginx: parser, include resolution, the expanded tree and the model rules query.

pub mod ast;
pub mod detect;
pub mod directives;
pub mod dump;
pub mod edit;
pub mod listen;
pub mod load;
pub mod location;
pub mod model;
pub mod parser;
pub mod problem;
pub mod regex_sample;
pub mod rewrite;
pub mod settings;
pub mod syntax;
pub mod template;
pub mod tree;
pub mod unseen;
pub mod upstream;
pub mod values;

pub use model::NginxContext;
pub use settings::Settings;

/// Builds the model of one complete configuration text, for unit tests of model questions.
#[cfg(test)]
pub(crate) fn with_context<R>(text: &str, f: impl FnOnce(&NginxContext<'_>) -> R) -> R {
    let settings = Settings::default();
    let mut db = crate::source::SourceDb::default();
    let file = db.add("nginx.conf".into(), text.to_owned());
    let loaded = load::load(&mut db, &[file], &settings);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let (root, context) = loaded.roots[0];
    let tree = tree::Tree::build(&loaded.parsed, &loaded.includes, root, context);
    let cx = NginxContext::new(tree, &db, &settings);
    f(&cx)
}
