//! Human output: miette's graphical reports with the source snippet, labels and help.

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{SourceDb, SourceFile};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use std::fmt;

/// A source file seen through miette, named by its path.
struct Source<'a>(&'a SourceFile);

impl SourceCode for Source<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let inner = self.0.text.read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.0.path.display().to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

struct Report<'a> {
    d: &'a Diagnostic,
    source: Source<'a>,
    /// Labels that point into other files cannot be drawn in this snippet: they go to help.
    help: Option<String>,
    url: String,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}
impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
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
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(
            Some(primary_label(self.d)),
            (self.d.span.start, self.d.span.len()),
        );
        let secondary = self
            .d
            .labels
            .iter()
            .filter(|l| l.file == self.d.file)
            .map(|l| {
                LabeledSpan::new_with_span(Some(l.message.clone()), (l.span.start, l.span.len()))
            });
        Some(Box::new(std::iter::once(primary).chain(secondary)))
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
        let elsewhere: Vec<String> = d
            .labels
            .iter()
            .filter(|l| l.file != d.file)
            .map(|l| {
                let f = db.get(l.file);
                let lc = f.line_col(l.span.start);
                format!(
                    "{}:{}:{}: {}",
                    f.path.display(),
                    lc.line,
                    lc.column,
                    l.message
                )
            })
            .collect();
        let help = match (&d.help, elsewhere.is_empty()) {
            (Some(h), true) => Some(h.clone()),
            (h, false) => Some(format!(
                "{}{}",
                h.as_ref().map(|h| format!("{h}\n")).unwrap_or_default(),
                elsewhere.join("\n")
            )),
            (None, true) => None,
        };
        let report = Report {
            d,
            source: Source(db.get(d.file)),
            help,
            url: d.url(),
        };
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&super::concise::render(db, std::slice::from_ref(d)));
        }
        out.push('\n');
    }
    out
}
