//! The located syntax tree of one nginx file. Directives live in a flat arena so deep nesting
//! never needs recursion and every node keeps its byte span.

use crate::source::Span;
use compact_str::CompactString;

/// Index of a directive in [`ParsedFile::directives`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DirId(pub u32);

/// One word of a directive: its name or an argument.
///
/// Offsets are 32-bit (the parser refuses files of 2 GiB and more), the quote flag lives in
/// the top bit of the end and the template flag in the top bit of the start: a word is 32
/// bytes, which halves the model of big configurations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    start_and_templated: u32,
    end_and_quoted: u32,
    /// The value nginx sees: quotes removed, `\"`, `\'`, `\\`, `\t`, `\r`, `\n` unescaped.
    pub value: CompactString,
}

const QUOTED: u32 = 1 << 31;
const TEMPLATED: u32 = 1 << 31;

impl Word {
    pub(super) fn new(span: Span, value: CompactString, quoted: bool) -> Self {
        debug_assert!(span.end < QUOTED as usize);
        Word {
            start_and_templated: span.start as u32,
            end_and_quoted: span.end as u32 | if quoted { QUOTED } else { 0 },
            value,
        }
    }
    /// The word holds a template placeholder (`{{ .Port }}`, `%ip%`, `${HOST}`): its value is
    /// only known once the template is rendered.
    pub(super) fn templated(mut self, templated: bool) -> Self {
        if templated {
            self.start_and_templated |= TEMPLATED;
        }
        self
    }
    /// The bytes as written, quotes included.
    pub fn span(&self) -> Span {
        Span::new(
            (self.start_and_templated & !TEMPLATED) as usize,
            (self.end_and_quoted & !QUOTED) as usize,
        )
    }
    pub fn quoted(&self) -> bool {
        self.end_and_quoted & QUOTED != 0
    }
    /// See [`Word::templated`]: rules that need the value stay quiet about such a word.
    pub fn is_templated(&self) -> bool {
        self.start_and_templated & TEMPLATED != 0
    }
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

/// No block: `open` of a directive that ends with `;`.
const NO_BLOCK: u32 = u32::MAX;
/// The top bit of `kids`: the block body is opaque text.
const RAW: u32 = 1 << 31;
/// The next bit: a syntax error cut the block (its `}` is missing or a directive in it was
/// lost), so what it lacks proves nothing.
const CUT: u32 = 1 << 30;
const FLAGS: u32 = RAW | CUT;

/// 64 bytes: a configuration of 5,000 servers has 120,000 of them.
#[derive(Clone, Debug)]
pub struct Directive {
    pub name: Word,
    pub args: Box<[Word]>,
    /// Where the `;` or the closing `}` ends (the span starts at the name); a block's `}` is
    /// the byte before.
    end: u32,
    /// The `{` of the block, [`NO_BLOCK`] without one.
    open: u32,
    /// The children are `ParsedFile::kids[first_kid..]`, as many as the low bits of
    /// `kids`; its top bit is [`RAW`].
    first_kid: u32,
    kids: u32,
}

impl Directive {
    pub(super) fn new(name: Word, args: Box<[Word]>, end: usize, block: Option<BlockSpan>) -> Self {
        let (open, raw) = block.map_or((NO_BLOCK, false), |b| (b.open as u32, b.raw));
        Directive {
            name,
            args,
            end: end as u32,
            open,
            first_kid: 0,
            kids: if raw { RAW } else { 0 },
        }
    }
    pub fn name(&self) -> &str {
        &self.name.value
    }
    pub fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(|w| w.value.as_str())
    }
    /// From the first byte of the name to the `;` or the closing `}`, inclusive.
    pub fn span(&self) -> Span {
        Span::new(self.name.span().start, self.end as usize)
    }
    pub fn block(&self) -> Option<BlockSpan> {
        (self.open != NO_BLOCK).then_some(BlockSpan {
            open: self.open as usize,
            close: self.end as usize - 1,
            raw: self.kids & RAW != 0,
        })
    }
    fn kid_count(&self) -> usize {
        (self.kids & !FLAGS) as usize
    }
    /// A syntax error cut this block: see [`CUT`].
    pub fn is_cut(&self) -> bool {
        self.kids & CUT != 0
    }
    pub(super) fn cut(&mut self) {
        self.kids |= CUT;
    }
    pub fn has_children(&self) -> bool {
        self.kid_count() > 0
    }
    /// The name and arguments, without the block: `location ~ ^/ws/`.
    pub fn header_span(&self) -> Span {
        let end = self.args.last().unwrap_or(&self.name).span().end;
        Span::new(self.name.span().start, end)
    }
    pub(super) fn close(&mut self, close: usize) {
        self.end = close as u32 + 1;
    }
    pub(super) fn set_kids(&mut self, first: usize, count: usize) {
        debug_assert!(count < CUT as usize);
        self.first_kid = first as u32;
        self.kids = self.kids & FLAGS | count as u32;
    }
}

#[derive(Clone, Debug, Default)]
pub struct ParsedFile {
    pub directives: Vec<Directive>,
    /// The children of every block, each block's in order and side by side.
    pub(super) kids: Vec<DirId>,
    /// Top-level directives in order.
    pub roots: Vec<DirId>,
    /// Every `#` comment, without its line break.
    pub comments: Vec<Span>,
    /// Template syntax in the file, if it is a template (`None` for plain nginx).
    pub template: Option<Box<super::template::Template>>,
    /// Syntax errors, first first; the parser resynchronised after each (see
    /// [`super::parser::parse_recovering`]).
    pub errors: Vec<SyntaxError>,
    /// Errors on lines with template syntax: not reported, since what nginx will read there
    /// is only known once the template is rendered, but the tree lacks what they cut.
    pub excused: Vec<SyntaxError>,
}

impl ParsedFile {
    pub fn get(&self, id: DirId) -> &Directive {
        &self.directives[id.0 as usize]
    }
    pub fn children(&self, d: &Directive) -> &[DirId] {
        &self.kids[d.first_kid as usize..][..d.kid_count()]
    }
}

pub use crate::formats::SyntaxError;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_stays_small() {
        assert_eq!(std::mem::size_of::<Word>(), 32);
        assert_eq!(std::mem::size_of::<Directive>(), 64);
    }

    #[test]
    fn a_block_keeps_its_braces_and_raw_flag_with_children() {
        let name = Word::new(Span::new(0, 9), "content_by_lua_block".into(), false);
        let block = BlockSpan {
            open: 10,
            close: 10,
            raw: true,
        };
        let mut d = Directive::new(name, Box::default(), 11, Some(block));
        d.set_kids(5, 3);
        d.close(40);
        assert_eq!(
            d.block(),
            Some(BlockSpan {
                open: 10,
                close: 40,
                raw: true
            })
        );
        assert_eq!(
            (d.first_kid, d.kid_count(), d.span()),
            (5, 3, Span::new(0, 41))
        );
        let plain = Word::new(Span::new(0, 6), "listen".into(), false);
        assert_eq!(
            Directive::new(plain, Box::default(), 10, None).block(),
            None
        );
    }
}
