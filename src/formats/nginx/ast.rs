//! The located syntax tree of one nginx file. Directives live in a flat arena so deep nesting
//! never needs recursion and every node keeps its byte span.

use crate::source::Span;
use compact_str::CompactString;

/// Index of a directive in [`ParsedFile::directives`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DirId(pub u32);

/// One word of a directive: its name or an argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The bytes as written, quotes included.
    pub span: Span,
    /// The value nginx sees: quotes removed, `\"`, `\'`, `\\`, `\t`, `\r`, `\n` unescaped.
    pub value: CompactString,
    pub quoted: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockSpan {
    /// Offset of `{`.
    pub open: usize,
    /// Offset of the matching `}`.
    pub close: usize,
    /// The body is opaque text (`*_by_lua_block`), not directives.
    pub raw: bool,
}

#[derive(Clone, Debug)]
pub struct Directive {
    pub name: Word,
    pub args: Box<[Word]>,
    /// From the first byte of the name to the `;` or the closing `}`, inclusive.
    pub span: Span,
    pub block: Option<BlockSpan>,
    pub children: Box<[DirId]>,
}

impl Directive {
    pub fn name(&self) -> &str {
        &self.name.value
    }
    pub fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(|w| w.value.as_str())
    }
    /// The name and arguments, without the block: `location ~ ^/ws/`.
    pub fn header_span(&self) -> Span {
        let end = self.args.last().map_or(self.name.span.end, |a| a.span.end);
        Span::new(self.name.span.start, end)
    }
}

#[derive(Clone, Debug, Default)]
pub struct ParsedFile {
    pub directives: Vec<Directive>,
    /// Top-level directives in order.
    pub roots: Vec<DirId>,
    /// Every `#` comment, without its line break.
    pub comments: Vec<Span>,
}

impl ParsedFile {
    pub fn get(&self, id: DirId) -> &Directive {
        &self.directives[id.0 as usize]
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}
