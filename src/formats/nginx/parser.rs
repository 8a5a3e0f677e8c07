//! Lossless nginx configuration parser following `ngx_conf_read_token`: the same token rules,
//! quoting and escapes, so what nginx reads is what wscfg reads. Nesting is handled with an
//! explicit stack (no recursion), and every failure is a located [`SyntaxError`].

use super::ast::{BlockSpan, DirId, Directive, ParsedFile, SyntaxError, Word};
use super::template;
use crate::diagnostic::clip;
use crate::source::Span;
use compact_str::CompactString;
use nom::bytes::complete::{take_till, take_while};
use nom::{IResult, Parser};

/// Deeper nesting than this is refused with a located error instead of exhausting memory.
pub const DEFAULT_MAX_DEPTH: usize = crate::workspace::DEFAULT_MAX_DEPTH;

/// Parses a file; the first syntax error fails the parse. What nginx refuses in a file that
/// parses (unknown directives, argument counts, contexts) is judged over the expanded
/// configuration: see [`super::syntax`].
pub fn parse(text: &str) -> Result<ParsedFile, SyntaxError> {
    parse_limited(text, DEFAULT_MAX_DEPTH)
}

/// [`parse`] with a nesting limit (`--max-depth`).
pub fn parse_limited(text: &str, max_depth: usize) -> Result<ParsedFile, SyntaxError> {
    strict(parse_recovering(
        text,
        max_depth,
        template::scan(None, text),
    ))
}

fn strict(parsed: ParsedFile) -> Result<ParsedFile, SyntaxError> {
    match parsed.errors.first().or(parsed.excused.first()) {
        Some(e) => Err(e.clone()),
        None => Ok(parsed),
    }
}

/// Parses the whole file whatever its syntax errors, which are listed in
/// [`ParsedFile::errors`]: after each one the parser resynchronises at the next `;` or `}` of
/// the same depth (or the end of the broken block), and the blocks it cut are marked
/// ([`super::ast::Directive::is_cut`]). `template` is the file's template syntax (see
/// [`template::scan`]): its control tags read as blank, its placeholders as parts of words,
/// and no error is reported on a line that holds template syntax.
pub fn parse_recovering(
    text: &str,
    max_depth: usize,
    template: Option<template::Template>,
) -> ParsedFile {
    read(text, max_depth, template)
}

fn read(text: &str, max_depth: usize, template: Option<template::Template>) -> ParsedFile {
    // The model keeps 32-bit offsets (one bit less for words, see `Word`).
    if text.len() >= 1 << 31 {
        return ParsedFile {
            errors: vec![SyntaxError {
                span: Span::empty(0),
                message: "file of 2 GiB or more: too large for an nginx configuration".into(),
            }],
            ..ParsedFile::default()
        };
    }
    let masked = template::masked(text, template.as_ref());
    let placeholders = template
        .as_ref()
        .map(template::Template::placeholders)
        .unwrap_or_default();
    let mut parser = Parser_::new(&masked, max_depth, placeholders);
    parser.template = template.as_ref();
    let mut parsed = parser.run();
    parsed.template = template.map(Box::new);
    parsed
}

enum Token {
    Word(Word),
    Semicolon(usize),
    Open(usize),
    Close(usize),
    Eof,
}

fn blank(input: &str) -> IResult<&str, &str> {
    take_while(|c: char| matches!(c, ' ' | '\t' | '\r' | '\n')).parse(input)
}

fn comment(input: &str) -> IResult<&str, &str> {
    take_till(|c: char| c == '\n').parse(input)
}

struct Parser_<'a> {
    /// The file with its template control tags blanked (the file itself when it has none).
    text: &'a str,
    pos: usize,
    max_depth: usize,
    out: ParsedFile,
    template: Option<&'a template::Template>,
    /// Template placeholders, read as parts of words whatever their bytes.
    placeholders: Vec<Span>,
    /// The first placeholder not yet behind the parser.
    next_placeholder: usize,
}

/// A directive whose words are read but whose terminator (`;` or `{`) is not yet seen.
struct Pending {
    words: Vec<Word>,
}

impl<'a> Parser_<'a> {
    fn new(text: &'a str, max_depth: usize, placeholders: Vec<Span>) -> Self {
        let pos = if text.starts_with('\u{feff}') { 3 } else { 0 };
        Parser_ {
            text,
            pos,
            max_depth,
            out: ParsedFile::default(),
            template: None,
            placeholders,
            next_placeholder: 0,
        }
    }

    fn err<T>(&self, span: Span, message: impl Into<String>) -> Result<T, SyntaxError> {
        Err(SyntaxError {
            span,
            message: message.into(),
        })
    }

    /// Records a syntax error, unless it is on a line with template syntax: what nginx will
    /// read there is only known once the template is rendered.
    fn fail(&mut self, e: SyntaxError) {
        if self
            .template
            .is_some_and(|t| t.on_lines_of(self.text, e.span))
        {
            self.out.excused.push(e);
        } else {
            self.out.errors.push(e);
        }
    }

    /// [`Self::fail`] for braces that do not pair up, which in a template with control tags
    /// may pair up in each rendered branch.
    fn fail_braces(&mut self, span: Span, message: String) {
        let e = SyntaxError { span, message };
        if self.template.is_some_and(|t| t.has_control) {
            self.out.excused.push(e);
        } else {
            self.fail(e);
        }
    }

    /// The end of the placeholder at or around `i`, if any (`i` never decreases between
    /// calls).
    fn placeholder_at(&mut self, i: usize) -> Option<usize> {
        self.placeholder_from(i)
            .filter(|s| s.start <= i)
            .map(|s| s.end)
    }

    /// The first placeholder that ends after `i` (`i` never decreases between calls).
    fn placeholder_from(&mut self, i: usize) -> Option<Span> {
        let spans = &self.placeholders;
        while spans.get(self.next_placeholder).is_some_and(|s| s.end <= i) {
            self.next_placeholder += 1;
        }
        spans.get(self.next_placeholder).copied()
    }

    fn run(mut self) -> ParsedFile {
        // Open blocks: the directive that owns each one, and where its children start in
        // `kids`.
        let mut stack: Vec<(DirId, usize)> = Vec::new();
        // The children of the open blocks (the top level's first), each block's in order;
        // a block's run becomes its exact-size list when it closes.
        let mut kids: Vec<DirId> = Vec::new();
        // One buffer for the words of every directive: each gets an exact-size copy.
        let mut pending = Pending { words: Vec::new() };
        let estimate = memchr::memchr2_iter(b';', b'{', self.text.as_bytes())
            .count()
            .min(self.text.len() / 4);
        self.out.directives.reserve(estimate);
        loop {
            let token = match self.next_token() {
                Ok(t) => t,
                Err(e) => {
                    // A quoted string nginx refuses: its statement is lost.
                    self.fail(e);
                    pending.words.clear();
                    self.cut_innermost(&stack);
                    self.skip(0);
                    continue;
                }
            };
            match token {
                Token::Word(w) => pending.words.push(w),
                Token::Semicolon(at) => {
                    if pending.words.is_empty() {
                        self.fail(SyntaxError {
                            span: Span::new(at, at + 1),
                            message: "unexpected \";\"".into(),
                        });
                        continue;
                    }
                    self.push(&mut kids, &mut pending.words, Span::empty(at + 1), None);
                }
                Token::Open(at) => {
                    let message = if pending.words.is_empty() {
                        Some("unexpected \"{\"".to_owned())
                    } else if stack.len() >= self.max_depth {
                        Some(format!(
                            "blocks nested deeper than {} levels (--max-depth)",
                            self.max_depth
                        ))
                    } else {
                        None
                    };
                    if let Some(message) = message {
                        // The block is skipped whole; the one around it lost it.
                        self.fail(SyntaxError {
                            span: Span::new(at, at + 1),
                            message,
                        });
                        pending.words.clear();
                        self.cut_innermost(&stack);
                        self.skip(1);
                        continue;
                    }
                    let raw = pending.words[0].value.ends_with("_by_lua_block");
                    let block = BlockSpan {
                        open: at,
                        close: at,
                        raw,
                    };
                    let id = self.push(
                        &mut kids,
                        &mut pending.words,
                        Span::empty(at + 1),
                        Some(block),
                    );
                    if raw {
                        let close = match self.skip_lua_body(at) {
                            Ok(close) => close,
                            Err(e) => {
                                self.fail(e);
                                self.out.directives[id.0 as usize].cut();
                                self.pos = self.text.len();
                                self.text.len() - 1
                            }
                        };
                        self.close_block(id, close);
                    } else {
                        stack.push((id, kids.len()));
                    }
                }
                Token::Close(at) => {
                    if !pending.words.is_empty() {
                        // On the line of the `}`, as nginx names it.
                        self.fail(SyntaxError {
                            span: Span::new(at, at + 1),
                            message: format!(
                                "unexpected \"}}\": directive \"{}\" is not terminated by \";\"",
                                clip(&pending.words[0].value)
                            ),
                        });
                        pending.words.clear();
                        self.cut_innermost(&stack);
                    }
                    let Some((id, first)) = stack.pop() else {
                        self.fail_braces(Span::new(at, at + 1), "unexpected \"}\"".into());
                        continue;
                    };
                    self.finish_block(&mut kids, id, first, at);
                }
                Token::Eof => {
                    // nginx names the end of the file; the message names where the
                    // unfinished directive or block starts.
                    let end = self.text.len();
                    let line = |at: usize| self.text[..at].matches('\n').count() + 1;
                    if let Some(w) = pending.words.first() {
                        let message = format!(
                            "unexpected end of file, expecting \";\" or \"}}\" after \"{}\" (line {})",
                            clip(&w.value),
                            line(w.span().start)
                        );
                        self.fail(SyntaxError {
                            span: Span::empty(end),
                            message,
                        });
                        pending.words.clear();
                        self.cut_innermost(&stack);
                    }
                    if let Some(&(open, _)) = stack.last() {
                        let d = self.out.get(open);
                        let b = d.block().expect("stack holds blocks");
                        let message = format!(
                            "unexpected end of file, expecting \"}}\" to close \"{}\" opened on line {}",
                            clip(&d.name.value),
                            line(b.open)
                        );
                        self.fail_braces(Span::empty(end), message);
                    }
                    // Blocks left open end with the file: what they hold is linted, what they
                    // lack proves nothing.
                    while let Some((id, first)) = stack.pop() {
                        self.out.directives[id.0 as usize].cut();
                        self.finish_block(&mut kids, id, first, end - 1);
                    }
                    self.out.roots = kids;
                    self.out.directives.shrink_to_fit();
                    return self.out;
                }
            }
        }
    }

    fn cut_innermost(&mut self, stack: &[(DirId, usize)]) {
        if let Some(&(id, _)) = stack.last() {
            self.out.directives[id.0 as usize].cut();
        }
    }

    /// Gives the block its children (the end of `kids` from `first`) and its closing offset.
    fn finish_block(&mut self, kids: &mut Vec<DirId>, id: DirId, first: usize, close: usize) {
        let count = kids.len() - first;
        let start = self.out.kids.len();
        self.out.kids.extend(kids.drain(first..));
        self.out.directives[id.0 as usize].set_kids(start, count);
        self.close_block(id, close);
    }

    /// Resynchronises after an error: skips tokens up to the `;` that ends the statement at
    /// `depth` 0, the `}` that closes the `depth` blocks it is in, or a `}` that closes the
    /// block around it (left for the caller to read).
    fn skip(&mut self, mut depth: usize) {
        loop {
            match self.next_token() {
                Ok(Token::Eof) => return,
                Ok(Token::Semicolon(_)) if depth == 0 => return,
                Ok(Token::Open(_)) => depth += 1,
                Ok(Token::Close(at)) => {
                    if depth == 0 {
                        self.pos = at;
                        return;
                    }
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                // Errors inside what is skipped add nothing; each moved past its bytes.
                Ok(_) | Err(_) => {}
            }
        }
    }

    /// Adds the directive made of `words` (emptied) as the next child of the open block.
    fn push(
        &mut self,
        kids: &mut Vec<DirId>,
        words: &mut Vec<Word>,
        end: Span,
        block: Option<BlockSpan>,
    ) -> DirId {
        let mut words = words.drain(..);
        let name = words.next().expect("a directive has a name");
        let id = DirId(self.out.directives.len() as u32);
        let args = words.collect();
        self.out
            .directives
            .push(Directive::new(name, args, end.end, block));
        kids.push(id);
        id
    }

    fn close_block(&mut self, id: DirId, close: usize) {
        self.out.directives[id.0 as usize].close(close);
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    #[inline(always)]
    fn next_token(&mut self) -> Result<Token, SyntaxError> {
        loop {
            let (rest, _) = blank(self.rest()).expect("take_while cannot fail");
            self.pos = self.text.len() - rest.len();
            let Some(c) = rest.chars().next() else {
                return Ok(Token::Eof);
            };
            let at = self.pos;
            if !self.placeholders.is_empty() && self.placeholder_at(at).is_some() {
                return self.bare().map(Token::Word);
            }
            match c {
                '#' => {
                    let (after, _) = comment(rest).expect("take_till cannot fail");
                    let end = self.text.len() - after.len();
                    let end = if self.text[..end].ends_with('\r') {
                        end - 1
                    } else {
                        end
                    };
                    self.out.comments.push(Span::new(at, end));
                    self.pos = self.text.len() - after.len();
                }
                ';' => {
                    self.pos += 1;
                    return Ok(Token::Semicolon(at));
                }
                '{' => {
                    self.pos += 1;
                    return Ok(Token::Open(at));
                }
                '}' => {
                    self.pos += 1;
                    return Ok(Token::Close(at));
                }
                '"' | '\'' => return self.quoted(c).map(Token::Word),
                _ => return self.bare().map(Token::Word),
            }
        }
    }

    /// A quoted word; like nginx, the closing quote must be followed by a separator.
    fn quoted(&mut self, quote: char) -> Result<Word, SyntaxError> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let mut i = start + 1;
        let mut templated = false;
        let mut next = self.placeholder_from(i);
        loop {
            // Plain nginx has no placeholder: one comparison per byte.
            if let Some(p) = next
                && p.start <= i
            {
                i = p.end;
                templated = true;
                next = self.placeholder_from(i);
                continue;
            }
            match bytes.get(i) {
                None => {
                    self.pos = self.text.len();
                    return self.err(
                        Span::new(start, self.text.len()),
                        format!("unexpected end of file inside a {quote}-quoted string"),
                    );
                }
                Some(b'\\') => i += 2,
                Some(&b) if b == quote as u8 => break,
                Some(_) => i += 1,
            }
        }
        let end = i + 1;
        self.pos = end;
        match self.text[end..].chars().next() {
            None | Some(' ' | '\t' | '\r' | '\n' | ';' | '{' | ')') => {}
            Some(c) => {
                return self.err(
                    Span::new(end, end + c.len_utf8()),
                    format!("unexpected \"{c}\" after a quoted string; nginx needs a space, \";\" or \"{{\" here"),
                );
            }
        }
        Ok(Word::new(
            Span::new(start, end),
            unescape(&self.text[start + 1..end - 1]),
            true,
        )
        .templated(templated))
    }

    /// An unquoted word ends at whitespace, `;` or `{` (but `${` stays in the word, and `}`
    /// does not end it, exactly as in nginx). Template placeholders are kept whole.
    #[inline(always)]
    fn bare(&mut self) -> Result<Word, SyntaxError> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let mut i = start;
        let mut prev_dollar = false;
        let mut templated = false;
        let mut next = self.placeholder_from(i).map_or(usize::MAX, |p| p.start);
        while i < bytes.len() {
            // Plain nginx has no placeholder: one comparison per byte.
            if i >= next {
                if let Some(p) = self.placeholder_from(i).filter(|p| p.start <= i) {
                    i = p.end;
                    templated = true;
                    prev_dollar = false;
                }
                next = self.placeholder_from(i).map_or(usize::MAX, |p| p.start);
                continue;
            }
            let b = bytes[i];
            match b {
                b'{' if prev_dollar => {}
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'{' => break,
                b'\\' => {
                    i += 2;
                    prev_dollar = false;
                    continue;
                }
                _ => {}
            }
            prev_dollar = b == b'$';
            i += 1;
        }
        let end = i.min(bytes.len());
        let end = ceil_char_boundary(self.text, end);
        self.pos = end;
        Ok(Word::new(
            Span::new(start, end),
            unescape(&self.text[start..end]),
            false,
        )
        .templated(templated))
    }

    /// Skips a Lua body the way lua-nginx-module reads it: braces inside strings, long
    /// brackets and comments do not count. Returns the offset of the closing `}`.
    fn skip_lua_body(&mut self, open: usize) -> Result<usize, SyntaxError> {
        let bytes = self.text.as_bytes();
        let mut depth = 1usize;
        let mut i = open + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos = i + 1;
                        return Ok(i);
                    }
                }
                q @ (b'"' | b'\'') => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != q {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                }
                b'[' => {
                    if let Some(end) = long_bracket_end(&self.text[i..]) {
                        i += end;
                        continue;
                    }
                }
                b'-' if bytes.get(i + 1) == Some(&b'-') => {
                    i += 2;
                    if let Some(end) = long_bracket_end(&self.text[i..]) {
                        i += end;
                    } else {
                        while i < bytes.len() && bytes[i] != b'\n' {
                            i += 1;
                        }
                    }
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        self.err(
            Span::new(open, open + 1),
            "unexpected end of file inside a Lua block",
        )
    }
}

/// Length of a Lua long bracket `[[ ... ]]` / `[==[ ... ]==]` at the start of `s`, if any.
fn long_bracket_end(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.first() != Some(&b'[') {
        return None;
    }
    let level = b[1..].iter().take_while(|&&c| c == b'=').count();
    if b.get(1 + level) != Some(&b'[') {
        return None;
    }
    let close = format!("]{}]", "=".repeat(level));
    let body = 2 + level;
    s[body..]
        .find(&close)
        .map(|n| body + n + close.len())
        .or(Some(s.len()))
}

fn ceil_char_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i.min(s.len())
}

/// nginx's unescaping: `\"`, `\'`, `\\` lose the backslash; `\t`, `\r`, `\n` become control
/// characters; any other backslash is kept.
fn unescape(raw: &str) -> CompactString {
    if !raw.contains('\\') {
        return CompactString::new(raw);
    }
    let mut out = CompactString::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some(e @ ('"' | '\'' | '\\')) => {
                out.push(e);
                chars.next();
            }
            Some('t') => {
                out.push('\t');
                chars.next();
            }
            Some('r') => {
                out.push('\r');
                chars.next();
            }
            Some('n') => {
                out.push('\n');
                chars.next();
            }
            _ => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(p: &ParsedFile) -> Vec<String> {
        p.directives
            .iter()
            .map(|d| d.name.value.to_string())
            .collect()
    }

    #[test]
    fn parses_blocks_quotes_and_comments() {
        let src = "http { # c\n  map $http_upgrade $c { default upgrade; '' close; }\n  server { location ~ ^/ws/(.*)$ { proxy_set_header Connection \"up\\\"grade\"; } }\n}\n";
        let p = parse(src).unwrap();
        assert_eq!(
            names(&p),
            [
                "http",
                "map",
                "default",
                "",
                "server",
                "location",
                "proxy_set_header"
            ]
        );
        let h = &p.directives[6];
        assert_eq!(h.args[1].value, "up\"grade");
        assert_eq!(
            &src[h.span().range()],
            "proxy_set_header Connection \"up\\\"grade\";"
        );
        assert_eq!(p.comments.len(), 1);
        let http = p.get(p.roots[0]);
        assert_eq!(&src[http.span().range()], src.trim_end());
    }

    #[test]
    fn dollar_brace_and_closing_brace_stay_in_words() {
        let p = parse("set $a ${b}c;\nreturn 200 x}y;").unwrap();
        assert_eq!(p.directives[0].args[1].value, "${b}c");
        assert_eq!(p.directives[1].args[1].value, "x}y");
    }

    #[test]
    fn lua_block_body_is_opaque() {
        let src = "content_by_lua_block { ngx.say(\"}\") -- }\n local t = {a=[[}]]} }\nlisten 80;";
        let p = parse(src).unwrap();
        assert_eq!(names(&p), ["content_by_lua_block", "listen"]);
        assert!(p.directives[0].block().unwrap().raw);
    }

    #[test]
    fn lua_comment_at_end_of_file_or_before_non_ascii() {
        // Found by fuzzing: `--` as the last bytes, and `--é`, sliced out of bounds / inside
        // a character.
        assert!(parse("content_by_lua_block { --").is_err());
        assert!(parse("content_by_lua_block { --é\n}").is_ok());
        // `--x[[` is a line comment, not a long one.
        let p = parse("content_by_lua_block { --x[[\n}\nlisten 80;").unwrap();
        assert_eq!(names(&p), ["content_by_lua_block", "listen"]);
    }

    #[test]
    fn templates_are_opaque_words() {
        let p = parse("listen {{ port }};\nserver_name ${HOST};").unwrap();
        assert_eq!(p.directives[0].args[0].value, "{{ port }}");
        assert_eq!(p.directives[1].args[0].value, "${HOST}");
    }

    #[test]
    fn errors_are_located() {
        // An unclosed block: at the end of the file, as nginx names it.
        let e = parse("server {\n listen 80;\n").unwrap_err();
        assert_eq!(e.span.start, 21);
        assert!(e.message.ends_with("opened on line 1"), "{}", e.message);
        let e = parse("listen 80\n}").unwrap_err();
        assert!(e.message.contains("not terminated"), "{}", e.message);
        let e = parse("return 200 \"a\"b;").unwrap_err();
        assert_eq!(e.span.start, 14);
        let e = parse("a '").unwrap_err();
        assert!(e.message.contains("quoted"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = "a {".repeat(100_000);
        let e = parse(&src).unwrap_err();
        assert!(e.message.contains("nested deeper"));
    }

    fn recovering(text: &str) -> ParsedFile {
        parse_recovering(text, DEFAULT_MAX_DEPTH, template::scan(None, text))
    }

    #[test]
    fn a_truncated_file_keeps_its_complete_blocks() {
        let src = "server {\n listen 80;\n location /ws/ {\n  proxy_pass http://a;\n }\n location /b/ {\n  proxy_pass";
        let p = recovering(src);
        assert_eq!(p.errors.len(), 2, "{:?}", p.errors);
        assert!(p.errors[0].message.contains("expecting \";\""));
        assert_eq!(
            names(&p),
            ["server", "listen", "location", "proxy_pass", "location"]
        );
        let cut: Vec<bool> = p.directives.iter().map(|d| d.is_cut()).collect();
        assert_eq!(cut, [true, false, false, false, true]);
        let server = p.get(p.roots[0]);
        assert_eq!(server.span().end, src.len());
        assert_eq!(p.children(server).len(), 3);
    }

    #[test]
    fn after_an_error_the_parser_resynchronises() {
        // A directive without `;` before `}`: lost, its block cut, the rest read.
        let p = recovering("server { location / { proxy_pass x } listen 80; }");
        assert_eq!(names(&p), ["server", "location", "listen"]);
        assert!(p.directives[1].is_cut() && !p.directives[0].is_cut());
        // A stray `}`, `;` or `{ … }`, and a bad quote: skipped up to the next statement.
        let p = recovering("}\n;\n{ a; { b; } }\nreturn 200 \"a\"b c;\nlisten 80;");
        assert_eq!(p.errors.len(), 4, "{:?}", p.errors);
        assert_eq!(names(&p), ["listen"]);
        // Too deep: the block is skipped whole, its parent cut.
        let p = parse_recovering("a { b { c { d; } } e; }", 2, None);
        assert_eq!(names(&p), ["a", "b", "e"]);
        assert!(p.directives[1].is_cut());
    }

    #[test]
    fn template_lines_are_never_syntax_errors() {
        // A Jinja2 loop whose branches balance the braces, a placeholder standing for
        // directives, and an argument count only the rendering decides.
        let src = "{% if ws %}\nlocation /ws/ {\n{% else %}\nlocation / {\n{% endif %}\n  {{ headers }}\n  proxy_pass {{ a }} {{ b }};\n}\n";
        let p = recovering(src);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.excused.len(), 1, "{:?}", p.excused);
        let p = recovering("listen {{ port }}\nserver_name a;");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        // Elsewhere in a template, errors are reported.
        let p = recovering("listen {{ port }};\nserver_name a\n}");
        assert!(
            p.errors[0]
                .message
                .contains("\"server_name\" is not terminated")
        );
    }

    #[test]
    fn placeholders_are_templated_words() {
        let p = parse("{% if x %}\nproxy_pass \"http://{{ host }}:80\" b;\n{% endif %}").unwrap();
        let d = &p.directives[0];
        assert!(d.args[0].is_templated() && !d.args[1].is_templated());
        assert_eq!(d.args[0].value, "http://{{ host }}:80");
    }

    #[test]
    fn crlf_and_bom() {
        let p = parse("\u{feff}events {\r\n}\r\n# x\r\n").unwrap();
        assert_eq!(names(&p), ["events"]);
        assert_eq!(p.comments[0], Span::new(16, 19));
    }
}
