//! Human output: miette's graphical reports with the source snippet, labels and help.

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{SourceDb, SourceFile, Span};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use std::fmt;

/// A source file seen through miette, named by its path.
struct Source<'a>(&'a SourceFile);

impl SourceCode for Source<'_> {
    /// miette finds lines by scanning from the start of the text, which costs the whole file
    /// per finding; here only the lines around the span are handed to it.
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let f = self.0;
        let len = f.text.len();
        let start = span.offset().min(len);
        let end = (span.offset() + span.len()).min(len);
        let mut from = f.line_start(start);
        for _ in 0..before {
            if from == 0 {
                break;
            }
            from = f.line_start(from - 1);
        }
        let mut to = f.line_end(end);
        for _ in 0..after {
            let Some(nl) = f.text[to..].find('\n') else {
                break;
            };
            to = f.line_end(to + nl + 1);
        }
        let to = to.max(end);
        let inner = f.text[from..to].read_span(
            &SourceSpan::new((start - from).into(), end - start),
            before,
            after,
        )?;
        let first_line = f.line_col(from).line - 1;
        Ok(Box::new(MietteSpanContents::new_named(
            f.path.display().to_string(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + from).into(), inner.span().len()),
            inner.line() + first_line,
            inner.column(),
            inner.line_count(),
        )))
    }
}

struct Report<'a> {
    d: &'a Diagnostic,
    /// The message, cut if a pathological value made it huge.
    message: String,
    /// `None` when the snippet would be unreadable (a line too long to draw).
    source: Option<Source<'a>>,
    /// The primary span as drawn: a span over many lines is drawn as its first line.
    primary: Span,
    /// Secondary labels in this file that can be drawn.
    secondary: Vec<(Span, String)>,
    /// Labels that cannot be drawn (lines too long to show) are listed in the help.
    help: Option<String>,
    url: String,
}

/// The labels of one other file (the other end of a project finding), drawn as a snippet of
/// its own under the finding. (miette's `related` would head it with an empty "Advice:".)
struct Related<'a> {
    source: Source<'a>,
    title: String,
    labels: Vec<(Span, String)>,
}

impl fmt::Debug for Related<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.title)
    }
}
impl fmt::Display for Related<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.title)
    }
}
impl std::error::Error for Related<'_> {}

impl miette::Diagnostic for Related<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().map(|(span, message)| {
            LabeledSpan::new_with_span(Some(message.clone()), (span.start, span.len()))
        })))
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!("{}({})", self.d.code, self.d.name)))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display>)
    }
    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.url.as_str()))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let primary = LabeledSpan::new_primary_with_span(
            Some(primary_label(self.d)),
            (self.primary.start, self.primary.len()),
        );
        let secondary = self.secondary.iter().map(|(span, message)| {
            LabeledSpan::new_with_span(Some(message.clone()), (span.start, span.len()))
        });
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

/// Lines longer than this are not drawn: miette cannot draw columns past 65,535, and a
/// 10 MB line would be printed once per finding on it.
const MAX_DRAWN_LINE: usize = 400;
/// A span over more lines than this is drawn as its first line.
const MAX_DRAWN_LINES: usize = 12;
/// Messages longer than this are cut.
const MAX_MESSAGE: usize = 2000;

/// How a span is drawn: `None` when a line it (or its context line) touches is too long.
fn drawable(f: &SourceFile, span: Span) -> Option<Span> {
    if f.outside_root {
        return None;
    }
    let first_end = f.line_end(span.start);
    let last_line = f.line_col(span.end).line;
    let span = if last_line - f.line_col(span.start).line > MAX_DRAWN_LINES {
        Span::new(span.start, first_end.max(span.start))
    } else {
        span
    };
    // The lines drawn: the span's, and one of context on each side.
    let from = f.line_start(f.line_start(span.start).saturating_sub(1));
    let to = f.line_end((f.line_end(span.end) + 1).min(f.text.len()));
    let mut at = from;
    while at <= to {
        let end = f.line_end(at);
        if end - at > MAX_DRAWN_LINE {
            return None;
        }
        if end >= f.text.len() {
            break;
        }
        at = end
            + f.text[end..]
                .find('\n')
                .map_or(f.text.len() - end, |n| n + 1);
    }
    Some(span)
}

/// A message as the human and concise outputs print it.
pub(crate) fn clip_message(m: &str) -> String {
    match m.char_indices().nth(MAX_MESSAGE) {
        None => m.to_owned(),
        Some((i, _)) => format!("{}… (message cut at {MAX_MESSAGE} characters)", &m[..i]),
    }
}

fn primary_label(d: &Diagnostic) -> String {
    match &d.fix {
        Some(f) => format!("{} (fix: {})", d.name, f.message),
        None => d.name.to_owned(),
    }
}

pub fn render(db: &SourceDb, diags: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_context_lines(1)
        .with_width(100);
    let mut out = String::new();
    for d in diags {
        let file = db.get(d.file);
        let at = |f: &SourceFile, span: Span, message: &str| {
            let lc = f.line_col(span.start);
            format!(
                "{}:{}:{}: {}",
                f.path.display(),
                lc.line,
                lc.column,
                message
            )
        };
        let primary = drawable(file, d.span);
        let mut secondary = Vec::new();
        let mut related: Vec<Related<'_>> = Vec::new();
        let mut elsewhere: Vec<String> = Vec::new();
        if primary.is_none() {
            let why = if file.outside_root {
                "here (a file outside the checked root is not shown)"
            } else {
                "here (the line is too long to show)"
            };
            elsewhere.push(at(file, d.span, why));
        }
        for l in &d.labels {
            let lf = db.get(l.file);
            let message = clip_message(&l.message);
            match drawable(lf, l.span) {
                Some(span) if l.file == d.file && primary.is_some() => {
                    secondary.push((span, message))
                }
                Some(span) if l.file != d.file => {
                    match related.iter_mut().find(|r| std::ptr::eq(r.source.0, lf)) {
                        Some(r) => r.labels.push((span, message)),
                        None => related.push(Related {
                            source: Source(lf),
                            title: format!("in {}", lf.path.display()),
                            labels: vec![(span, message)],
                        }),
                    }
                }
                _ => elsewhere.push(at(lf, l.span, &message)),
            }
        }
        let help = match (&d.help, elsewhere.is_empty()) {
            (Some(h), true) => Some(h.to_string()),
            (h, false) => Some(format!(
                "{}{}",
                h.as_ref().map(|h| format!("{h}\n")).unwrap_or_default(),
                elsewhere.join("\n")
            )),
            (None, true) => None,
        };
        let report = Report {
            d,
            message: clip_message(&d.message),
            source: primary.map(|_| Source(file)),
            primary: primary.unwrap_or(d.span),
            secondary,
            help,
            url: d.url(),
        };
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&super::concise::render(db, std::slice::from_ref(d)));
        }
        for r in &related {
            if handler.render_report(&mut out, r).is_err() {
                for (span, message) in &r.labels {
                    out.push_str(&format!("  {}\n", at(r.source.0, *span, message)));
                }
            }
        }
        out.push('\n');
    }
    out
}
