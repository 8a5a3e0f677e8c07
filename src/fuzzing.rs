//! The checks behind the fuzz targets in `fuzz/` and the property tests: each function takes
//! arbitrary bytes, runs one part of wscfg on them and panics if an invariant breaks. Keeping
//! them in the library lets `cargo test` replay the fuzz corpora and crash regressions on
//! stable Rust, with exactly the checks the fuzzers run.

use crate::config::Config;
use crate::engine::Session;
use crate::fix::{apply_edits, select_edits};
use crate::formats::Format;
use crate::formats::nginx::ast::ParsedFile;
use crate::formats::nginx::{parser, template};
use crate::source::Span;
use std::path::PathBuf;

/// Inputs larger than this are cut: the fuzzers look for wrong answers, not for slow ones on
/// huge inputs (those have their own tests).
const MAX_INPUT: usize = 64 * 1024;

fn text_of(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(&data[..data.len().min(MAX_INPUT)]).ok()
}

/// The language server's framing on arbitrary client bytes: a bounded number of frames, no
/// body over the limit, no panic; a frame refused for what its body holds is answered
/// without quoting it.
pub fn lsp_frames(data: &[u8]) {
    use crate::server::transport::{parse, read_frame};
    const MAX_BODY: u64 = 4096;
    let mut input = data;
    let mut frames = 0;
    while let Some(frame) = read_frame(&mut input, MAX_BODY).expect("memory reads do not fail") {
        frames += 1;
        assert!(frames <= data.len() + 1, "a frame read nothing");
        match frame {
            Ok(body) => {
                assert!(body.len() as u64 <= MAX_BODY, "{} bytes", body.len());
                if let Err(refused) = parse(&body) {
                    // The answers are plain words (ours and serde_json's): a body of nothing
                    // but lower-case words may match them by chance ("the message is no").
                    let plain_words = body.iter().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b" ()".contains(b)
                    });
                    let quoted = body.len() >= 16
                        && !plain_words
                        && refused
                            .message
                            .contains(String::from_utf8_lossy(&body).as_ref());
                    assert!(!quoted, "the answer quotes the frame: {}", refused.message);
                }
            }
            Err(refused) => {
                refused.read_past(&mut input).unwrap();
            }
        }
    }
}

/// The nginx parser: never panics; on success the tree accounts for every byte of the
/// input (see [`check_nginx_lossless`]; template control tags count as blank) and printing it
/// again gives the same tree; on failure the error points inside the input, on character
/// boundaries, and the recovering parse gives a tree located the same way.
pub fn nginx_parse(data: &[u8]) {
    let Some(text) = text_of(data) else {
        return;
    };
    match parser::parse(text) {
        Ok(p) => {
            let tokens = template::masked(text, p.template.as_deref());
            if let Err(e) = check_nginx_lossless(&tokens, &p) {
                panic!("parse is not lossless: {e}\ninput: {text:?}");
            }
            if p.template.is_some() {
                // Reprinting drops the control tags that made it a template (and with them,
                // perhaps, the dialect its placeholders are read in).
                return;
            }
            let printed = print_normalized(text, &p);
            let again = parser::parse(&printed)
                .unwrap_or_else(|e| panic!("reprinted text does not parse: {e:?}\n{printed:?}"));
            assert_eq!(
                shape(&p),
                shape(&again),
                "reprinting changed the tree\ninput: {text:?}\nprinted: {printed:?}"
            );
        }
        Err(e) => {
            check_span(text, e.span).unwrap_or_else(|m| panic!("error span {m}: {e:?}"));
            let p = parser::parse_recovering(
                text,
                parser::DEFAULT_MAX_DEPTH,
                template::scan(None, text),
            );
            assert!(
                !(p.errors.is_empty() && p.excused.is_empty()),
                "the recovering parse lost the error: {text:?}"
            );
            check_recovered(text, &p)
                .unwrap_or_else(|m| panic!("recovered tree: {m}\ninput: {text:?}"));
        }
    }
}

/// A tree read past syntax errors: every span inside the input, children inside their
/// parents, blocks not cut ending at their `}`.
fn check_recovered(text: &str, p: &ParsedFile) -> Result<(), String> {
    for e in &p.errors {
        check_span(text, e.span)?;
    }
    for d in &p.directives {
        check_span(text, d.span())?;
        for w in std::iter::once(&d.name).chain(&d.args) {
            check_span(text, w.span())?;
        }
        if let Some(b) = d.block()
            && !d.is_cut()
            && !b.raw
            && text.as_bytes().get(b.close) != Some(&b'}')
        {
            return Err(format!("block {b:?} does not end at a brace"));
        }
        for &c in p.children(d) {
            let child = p.get(c).span();
            if child.start < d.span().start || child.end > d.span().end {
                return Err(format!("child {child:?} outside its parent {:?}", d.span()));
            }
        }
    }
    Ok(())
}

fn check_span(text: &str, span: Span) -> Result<(), String> {
    if span.start > span.end || span.end > text.len() {
        return Err(format!("{span:?} out of bounds ({} bytes)", text.len()));
    }
    if !text.is_char_boundary(span.start) || !text.is_char_boundary(span.end) {
        return Err(format!("{span:?} splits a character"));
    }
    Ok(())
}

/// The parse accounts for every byte: the tokens it kept (words, `;`, braces, comments,
/// opaque Lua bodies) and the whitespace between them, concatenated in order, are exactly the
/// input. Also: each word's text is what its value was read from.
pub fn check_nginx_lossless(text: &str, p: &ParsedFile) -> Result<(), String> {
    let mut pieces: Vec<(Span, &str)> = Vec::new();
    if text.starts_with('\u{feff}') {
        pieces.push((Span::new(0, 3), "bom"));
    }
    for d in &p.directives {
        for w in std::iter::once(&d.name).chain(&d.args) {
            check_span(text, w.span())?;
            let raw = &text[w.span().range()];
            if w.span().is_empty() && !w.quoted() {
                return Err(format!("empty unquoted word at {:?}", w.span()));
            }
            if w.quoted() {
                let q = raw.as_bytes()[0];
                if !(q == b'"' || q == b'\'') || raw.len() < 2 || raw.as_bytes()[raw.len() - 1] != q
                {
                    return Err(format!("quoted word {raw:?} is not within quotes"));
                }
            }
            pieces.push((w.span(), "word"));
        }
        check_span(text, d.span())?;
        if d.span().start != d.name.span().start {
            return Err(format!(
                "directive span {:?} does not start at its name",
                d.span()
            ));
        }
        match d.block() {
            Some(b) => {
                if text.as_bytes().get(b.open) != Some(&b'{')
                    || text.as_bytes().get(b.close) != Some(&b'}')
                    || d.span().end != b.close + 1
                {
                    return Err(format!("block {b:?} is not delimited by braces"));
                }
                pieces.push((Span::new(b.open, b.open + 1), "{"));
                if b.raw {
                    pieces.push((Span::new(b.open + 1, b.close), "raw body"));
                }
                pieces.push((Span::new(b.close, b.close + 1), "}"));
            }
            None => {
                if text.as_bytes().get(d.span().end.wrapping_sub(1)) != Some(&b';') {
                    return Err(format!("directive {:?} does not end with ;", d.span()));
                }
                pieces.push((Span::new(d.span().end - 1, d.span().end), ";"));
            }
        }
        for &c in p.children(d) {
            let child = p.get(c);
            if child.span().start < d.span().start || child.span().end > d.span().end {
                return Err(format!(
                    "child {:?} outside its parent {:?}",
                    child.span(),
                    d.span()
                ));
            }
        }
    }
    for &c in &p.comments {
        check_span(text, c)?;
        if !text[c.range()].starts_with('#') {
            return Err(format!("comment {c:?} does not start with #"));
        }
        pieces.push((c, "comment"));
    }
    pieces.sort_by_key(|(s, _)| (s.start, s.end));
    let mut rebuilt = String::with_capacity(text.len());
    let mut pos = 0;
    for (span, what) in &pieces {
        if span.start < pos {
            return Err(format!("{what} at {span:?} overlaps the piece before it"));
        }
        let gap = &text[pos..span.start];
        if !gap
            .bytes()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        {
            return Err(format!(
                "bytes {pos}..{} belong to no token: {gap:?}",
                span.start
            ));
        }
        rebuilt.push_str(gap);
        rebuilt.push_str(&text[span.range()]);
        pos = span.end;
    }
    let tail = &text[pos..];
    if !tail
        .bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
    {
        return Err(format!("trailing bytes belong to no token: {tail:?}"));
    }
    rebuilt.push_str(tail);
    if rebuilt != text {
        return Err("tokens and trivia do not concatenate to the input".into());
    }
    Ok(())
}

/// The tree printed from its tokens alone, one directive per line, comments dropped: parsing
/// it must give the same directives, or token boundaries depend on the layout.
pub fn print_normalized(text: &str, p: &ParsedFile) -> String {
    fn emit(text: &str, p: &ParsedFile, id: usize, out: &mut String) {
        // Iterative over siblings, recursive over depth (bounded by the parser's limit).
        let d = &p.directives[id];
        for (i, w) in std::iter::once(&d.name).chain(&d.args).enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(&text[w.span().range()]);
        }
        match d.block() {
            Some(b) if b.raw => {
                out.push_str(" {");
                out.push_str(&text[b.open + 1..b.close]);
                out.push_str("}\n");
            }
            Some(_) => {
                out.push_str(" {\n");
                for c in p.children(d) {
                    emit(text, p, c.0 as usize, out);
                }
                out.push_str("}\n");
            }
            None => out.push_str(";\n"),
        }
    }
    // A leading newline: a word that starts with U+FEFF must not land at offset 0, where it
    // would be taken for a byte-order mark.
    let mut out = String::from("\n");
    for r in &p.roots {
        emit(text, p, r.0 as usize, &mut out);
    }
    out
}

/// Names, argument values and nesting, without positions.
fn shape(p: &ParsedFile) -> Vec<(usize, String, Vec<String>, bool)> {
    let mut out = Vec::new();
    let mut stack: Vec<(usize, usize)> = p.roots.iter().rev().map(|r| (r.0 as usize, 0)).collect();
    while let Some((id, depth)) = stack.pop() {
        let d = &p.directives[id];
        out.push((
            depth,
            d.name.value.to_string(),
            d.args.iter().map(|a| a.value.to_string()).collect(),
            d.block().is_some(),
        ));
        stack.extend(
            p.children(d)
                .iter()
                .rev()
                .map(|c| (c.0 as usize, depth + 1)),
        );
    }
    out
}

/// The whole pipeline on one nginx file: lint, render in every format, fix with unsafe fixes
/// on. Checks that every reported span is valid, that each pass's edits are valid and change
/// no byte outside themselves, that a file that did not parse is never changed, that a fixed
/// file parses and keeps its line-ending style and final newline, and that fixing again
/// changes nothing.
pub fn nginx_fix(data: &[u8]) {
    let Some(text) = text_of(data) else {
        return;
    };
    // The first byte picks how the file is seen: a main file or an http-level fragment.
    let name = match data.first().map(|b| b % 3) {
        Some(0) => "nginx.conf",
        Some(1) => "conf.d/app.conf",
        _ => "sites-available/app",
    };
    pipeline(Format::Nginx, name, text);
}

/// [`nginx_fix`] for the platform manifests: the first byte picks `fly.toml`,
/// `railway.toml`, `railway.json` or `apprunner.yaml`, the rest is the file.
pub fn manifest_fix(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Some(text) = text_of(rest) else {
        return;
    };
    let (format, name) = match first % 4 {
        0 => (Format::Fly, "fly.toml"),
        1 => (Format::Railway, "railway.toml"),
        2 => (Format::Railway, "railway.json"),
        _ => (Format::AppRunner, "apprunner.yaml"),
    };
    pipeline(format, name, text);
}

/// The manifest parsers and the project scanners on arbitrary text: no panic, and every span
/// they return lies inside the text on character boundaries. The first byte picks the parser.
pub fn manifest_parse(data: &[u8]) {
    use crate::formats::{apprunner, fly, railway};
    use crate::project::{deps as project_deps, start_command};
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Some(text) = text_of(rest) else {
        return;
    };
    let deps = |deps: Vec<project_deps::Dep>| {
        for d in deps {
            check_span(text, d.span).unwrap_or_else(|m| panic!("dependency {}: {m}", d.name));
        }
    };
    match first % 10 {
        0 => {
            if let Err((span, m)) = fly::parse(text) {
                check_span(text, span).unwrap_or_else(|e| panic!("fly error {m}: {e}"));
            }
        }
        1 | 2 => {
            let flavor = if first % 10 == 1 {
                railway::ManifestSyntax::Toml
            } else {
                railway::ManifestSyntax::Json
            };
            if let Err(e) = railway::parse(text, flavor) {
                check_span(text, e.span).unwrap_or_else(|m| panic!("railway error: {m}"));
            }
        }
        3 => {
            if let Err(e) = apprunner::parse(text) {
                check_span(text, e.span).unwrap_or_else(|m| panic!("apprunner error: {m}"));
            }
        }
        4 => {
            for s in start_command::parse(text).simple {
                for w in s.words {
                    check_span(text, Span::new(w.span.start.min(w.span.end), w.span.end))
                        .unwrap_or_else(|m| panic!("start command word {:?}: {m}", w.text));
                    assert!(w.span.start <= w.span.end, "word span {:?}", w.span);
                }
            }
        }
        5 => deps(project_deps::parse_requirements(text).0),
        6 => deps(project_deps::parse_pyproject(text)),
        7 => deps(project_deps::parse_pipfile(text)),
        8 => deps(project_deps::parse_toml_lock(text)),
        _ => {
            deps(project_deps::parse_package_json(text));
            deps(project_deps::parse_pipfile_lock(text));
        }
    }
}

/// A Terraform file (`main.tf`): the hcl-edit based parser, the comment scanner and
/// detection never panic; the parsed tree's spans (keys, values, string contents) and the
/// comment spans lie inside the text on character boundaries, comments in order and apart;
/// then the [`nginx_fix`] pipeline, as the format the file is detected as (AWS when it
/// declares nothing wscfg reads), and for text that starts like JSON once more as `.tf.json`.
pub fn terraform(data: &[u8]) {
    use crate::formats::spanned::{Kind, Node};
    use crate::formats::terraform;
    let Some(text) = text_of(data) else {
        return;
    };
    fn walk(text: &str, n: &Node) {
        check_span(text, n.span).unwrap_or_else(|m| panic!("node: {m}"));
        match &n.kind {
            Kind::Str(s) => {
                if let Some(c) = s.content {
                    check_span(text, c).unwrap_or_else(|m| panic!("string content: {m}"));
                }
            }
            Kind::Array(items) => items.iter().for_each(|i| walk(text, i)),
            Kind::Map(entries) => {
                for e in entries {
                    check_span(text, e.key_span).unwrap_or_else(|m| panic!("key {:?}: {m}", e.key));
                    walk(text, &e.value);
                }
            }
            _ => {}
        }
    }
    match terraform::parse(text) {
        Ok(root) => walk(text, &root),
        Err(e) => check_span(text, e.span).unwrap_or_else(|m| panic!("syntax error: {m}")),
    }
    let mut last_end = 0;
    for c in terraform::comments(text) {
        check_span(text, c).unwrap_or_else(|m| panic!("comment: {m}"));
        assert!(c.start >= last_end, "comments overlap or go back: {c:?}");
        assert!(c.start < c.end, "empty comment at {c:?}");
        last_end = c.end;
    }
    let format = terraform::detect_text(text).unwrap_or(Format::Aws);
    pipeline(format, "main.tf", text);
    // The JSON syntax (`.tf.json`) for inputs that look like JSON.
    if text.trim_start().starts_with('{') {
        let format = terraform::detect_json(text).unwrap_or(Format::Aws);
        pipeline(format, "main.tf.json", text);
    }
}

/// lint + render + fix on one file of `format`, with every check of [`nginx_fix`].
pub fn pipeline(format: Format, name: &str, text: &str) {
    let path = PathBuf::from("/nonexistent-wscfg-fuzz").join(name);
    let mut s = Session::new(Config::default());
    let id = s.add_text(path.clone(), text.to_owned(), format);
    let diags = s.lint();
    for d in &diags {
        let f = s.db.get(d.file);
        check_span(&f.text, d.span).unwrap_or_else(|m| panic!("{}: span {m}", d.code));
        for l in &d.labels {
            let lf = s.db.get(l.file);
            check_span(&lf.text, l.span).unwrap_or_else(|m| panic!("{} label: span {m}", d.code));
        }
    }
    let _ = crate::render::human::render(&s.db, &diags, false);
    let _ = crate::render::concise::render(&s.db, &diags);
    let _ = crate::render::json::render(&s.db, &diags, 1);

    // One pass by hand, with every edit checked before it is applied.
    let fixes: Vec<_> = diags.iter().filter_map(|d| d.fix.as_ref()).collect();
    for f in &fixes {
        for e in &f.edits {
            let ft = &s.db.get(e.file).text;
            check_span(ft, e.span).unwrap_or_else(|m| panic!("edit `{}`: span {m}", f.message));
        }
    }
    for (file, edits) in select_edits(fixes.iter().copied()) {
        let old = &s.db.get(file).text;
        let new = apply_edits(old, &edits);
        check_untouched_outside(old, &new, &edits);
    }

    let depth = crate::workspace::DEFAULT_MAX_DEPTH;
    let parsed_before = crate::engine::parses(format, &path, text, depth);
    let outcome = s.fix(true);
    let fixed = s.db.get(id).text.clone();
    // The engine reverts fixes that keep changing the file; the fuzzer still wants to know.
    assert!(
        !outcome.notes.iter().any(|n| n.contains("did not settle")),
        "fixes did not settle: {:?}\ninput: {text:?}",
        outcome.notes
    );
    if !parsed_before {
        assert!(
            outcome.originals.is_empty() && fixed == text,
            "a file that does not parse was changed\ninput: {text:?}\nresult: {fixed:?}"
        );
        return;
    }
    if fixed == text {
        return;
    }
    assert!(
        crate::engine::parses(format, &path, &fixed, depth),
        "fixed file does not parse\ninput: {text:?}\nfixed: {fixed:?}"
    );
    check_line_endings(text, &fixed);
    // Fixing is idempotent: the fixed file offers nothing more to fix.
    let mut again = Session::new(Config::default());
    let id2 = again.add_text(path, fixed.clone(), format);
    let more = again.fix(true);
    assert!(
        more.originals.is_empty(),
        "fixing again changed the file\ninput: {text:?}\nfixed: {fixed:?}\nfixed again: {:?}",
        again.db.get(id2).text
    );
}

/// Bytes outside the edits are copied unchanged, in order.
pub fn check_untouched_outside(old: &str, new: &str, edits: &[crate::fix::Edit]) {
    let mut sorted: Vec<_> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut pos_old = 0;
    let mut pos_new = 0;
    for e in sorted {
        let keep = &old[pos_old..e.span.start];
        assert_eq!(
            &new[pos_new..pos_new + keep.len()],
            keep,
            "bytes before an edit changed"
        );
        pos_new += keep.len();
        assert_eq!(&new[pos_new..pos_new + e.content.len()], e.content);
        pos_new += e.content.len();
        pos_old = e.span.end;
    }
    assert_eq!(
        &new[pos_new..],
        &old[pos_old..],
        "bytes after the edits changed"
    );
}

/// A file that used only LF keeps only LF; one that used only CRLF keeps only CRLF; the final
/// newline stays present or absent.
pub fn check_line_endings(old: &str, new: &str) {
    let crlf = |t: &str| t.matches("\r\n").count();
    let lf = |t: &str| t.matches('\n').count();
    if crlf(old) == 0 {
        assert_eq!(crlf(new), 0, "fix added CRLF to an LF file: {new:?}");
    } else if crlf(old) == lf(old) {
        assert_eq!(
            crlf(new),
            lf(new),
            "fix added bare LF to a CRLF file: {new:?}"
        );
    }
    // (A fix that removes a file's only line, such as an unused suppression comment,
    // leaves an empty file: there is no last line to end.)
    if !new.is_empty() {
        assert_eq!(
            old.ends_with('\n'),
            new.ends_with('\n'),
            "fix changed the final newline: {old:?} -> {new:?}"
        );
    }
}
