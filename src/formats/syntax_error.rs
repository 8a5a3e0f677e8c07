//! The one parse-failure type every format's parser returns.

use crate::source::Span;

/// A parse failure: message and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
}
