//! Lossless nginx configuration parser following `ngx_conf_read_token`: the same token rules,
//! quoting and escapes, so what nginx reads is what wscfg reads. Nesting is handled with an
//! explicit stack (no recursion), and every failure is a located [`SyntaxError`].

use super::ast::{BlockSpan, DirId, Directive, ParsedFile, SyntaxError, Word};
use crate::diagnostic::clip;
use crate::source::Span;
use compact_str::CompactString;
use nom::bytes::complete::{take_till, take_while};
use nom::{IResult, Parser};

/// Deeper nesting than this is refused with a located error instead of exhausting memory.
pub const DEFAULT_MAX_DEPTH: usize = crate::workspace::DEFAULT_MAX_DEPTH;

/// Parses a file. What nginx refuses in a file that parses (unknown directives, argument
/// counts, contexts) is judged over the expanded configuration: see [`super::syntax`].
pub fn parse(text: &str) -> Result<ParsedFile, SyntaxError> {
    parse_limited(text, DEFAULT_MAX_DEPTH)
}

/// [`parse`] with a nesting limit (`--max-depth`).
pub fn parse_limited(text: &str, max_depth: usize) -> Result<ParsedFile, SyntaxError> {
    parse_with_limit(text, max_depth)
}

pub fn parse_with_limit(text: &str, max_depth: usize) -> Result<ParsedFile, SyntaxError> {
    // The model keeps 32-bit offsets (one bit less for words, see `Word`).
    if text.len() >= 1 << 31 {
        return Err(SyntaxError {
            span: Span::empty(0),
            message: "file of 2 GiB or more: too large for an nginx configuration".into(),
        });
    }
    Parser_::new(text, max_depth).run()
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
    text: &'a str,
    pos: usize,
    max_depth: usize,
    out: ParsedFile,
}

/// A directive whose words are read but whose terminator (`;` or `{`) is not yet seen.
struct Pending {
    words: Vec<Word>,
}

impl<'a> Parser_<'a> {
    fn new(text: &'a str, max_depth: usize) -> Self {
        let pos = if text.starts_with('\u{feff}') { 3 } else { 0 };
        Parser_ {
            text,
            pos,
            max_depth,
            out: ParsedFile::default(),
        }
    }

    fn err<T>(&self, span: Span, message: impl Into<String>) -> Result<T, SyntaxError> {
        Err(SyntaxError {
            span,
            message: message.into(),
        })
    }

    fn run(mut self) -> Result<ParsedFile, SyntaxError> {
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
            match self.next_token()? {
                Token::Word(w) => pending.words.push(w),
                Token::Semicolon(at) => {
                    if pending.words.is_empty() {
                        return self.err(Span::new(at, at + 1), "unexpected \";\"");
                    }
                    self.push(&mut kids, &mut pending.words, Span::empty(at + 1), None);
                }
                Token::Open(at) => {
                    if pending.words.is_empty() {
                        return self.err(Span::new(at, at + 1), "unexpected \"{\"");
                    }
                    if stack.len() >= self.max_depth {
                        return self.err(
                            Span::new(at, at + 1),
                            format!(
                                "blocks nested deeper than {} levels (--max-depth)",
                                self.max_depth
                            ),
                        );
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
                        let close = self.skip_lua_body(at)?;
                        self.close_block(id, close);
                    } else {
                        stack.push((id, kids.len()));
                    }
                }
                Token::Close(at) => {
                    if !pending.words.is_empty() {
                        // On the line of the `}`, as nginx names it.
                        return self.err(
                            Span::new(at, at + 1),
                            format!(
                                "unexpected \"}}\": directive \"{}\" is not terminated by \";\"",
                                clip(&pending.words[0].value)
                            ),
                        );
                    }
                    let Some((id, first)) = stack.pop() else {
                        return self.err(Span::new(at, at + 1), "unexpected \"}\"");
                    };
                    let count = kids.len() - first;
                    let start = self.out.kids.len();
                    self.out.kids.extend(kids.drain(first..));
                    self.out.directives[id.0 as usize].set_kids(start, count);
                    self.close_block(id, at);
                }
                Token::Eof => {
                    // nginx names the end of the file; the message names where the
                    // unfinished directive or block starts.
                    let end = self.text.len();
                    let line = |at: usize| self.text[..at].matches('\n').count() + 1;
                    if let Some(w) = pending.words.first() {
                        return self.err(
                            Span::empty(end),
                            format!(
                                "unexpected end of file, expecting \";\" or \"}}\" after \"{}\" (line {})",
                                clip(&w.value),
                                line(w.span().start)
                            ),
                        );
                    }
                    if let Some(&(open, _)) = stack.last() {
                        let d = self.out.get(open);
                        let b = d.block().expect("stack holds blocks");
                        return self.err(
                            Span::empty(end),
                            format!(
                                "unexpected end of file, expecting \"}}\" to close \"{}\" opened on line {}",
                                clip(&d.name.value),
                                line(b.open)
                            ),
                        );
                    }
                    self.out.roots = kids;
                    self.out.directives.shrink_to_fit();
                    return Ok(self.out);
                }
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

    fn next_token(&mut self) -> Result<Token, SyntaxError> {
        loop {
            let (rest, _) = blank(self.rest()).expect("take_while cannot fail");
            self.pos = self.text.len() - rest.len();
            let Some(c) = rest.chars().next() else {
                return Ok(Token::Eof);
            };
            let at = self.pos;
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
                '{' if !rest.starts_with("{{") => {
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
        loop {
            match bytes.get(i) {
                None => {
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
        ))
    }

    /// An unquoted word ends at whitespace, `;` or `{` (but `${` stays in the word, and `}`
    /// does not end it, exactly as in nginx). `{{ template }}` placeholders are kept whole.
    fn bare(&mut self) -> Result<Word, SyntaxError> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let mut i = start;
        let mut prev_dollar = false;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'{' && bytes.get(i + 1) == Some(&b'{') {
                match self.text[i..].find("}}") {
                    Some(n) => {
                        i += n + 2;
                        prev_dollar = false;
                        continue;
                    }
                    None => {
                        return self.err(
                            Span::new(i, self.text.len()),
                            "unterminated \"{{\" template placeholder",
                        );
                    }
                }
            }
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
        ))
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

    #[test]
    fn crlf_and_bom() {
        let p = parse("\u{feff}events {\r\n}\r\n# x\r\n").unwrap();
        assert_eq!(names(&p), ["events"]);
        assert_eq!(p.comments[0], Span::new(16, 19));
    }
}
