//! The fly.toml model: services, their ports, concurrency and autostop settings, env,
//! processes, VMs, mounts and checks, each value with the byte span it came from.
//!
//! Built from `toml_edit::Document` (the immutable, spanned parse) and read the way flyctl
//! reads it (`internal/appconfig/patches.go`): numbers may be strings, `[services]` may be a
//! single table (or only implied by `[[services.ports]]`), `concurrency` may be the legacy
//! `"soft,hard"` string, `[env]` may be an array of tables, `[mount]` may be singular.
//! Shapes flyctl would reject are kept as `Unrecognised` values, never a panic.

use crate::source::Span;
use toml_edit::{ArrayOfTables, Document, InlineTable, Item, Table, Value};

/// Index of a table in [`FlyDoc::tables`].
pub type TableId = usize;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TableKind {
    /// `[name]` or `[[name]]`; `header` is `None` for a table that only exists because a
    /// deeper header names it (`[[services.ports]]` with no `[[services]]`).
    Standard { header: Option<Span> },
    /// `a.b = 1` inside another table: its entries sit on the parent's lines.
    Dotted,
    /// `{ ... }`
    Inline { span: Span },
}

/// Where a table's own entries are, so fixes can add and remove entries in place.
#[derive(Clone, Debug)]
pub struct TableLoc {
    pub kind: TableKind,
    /// Direct entries in source order (entries of dotted sub-tables included for standard
    /// tables, since they sit on the table's own lines).
    pub entries: Vec<Entry>,
}

/// One `key = value` (or a sub-table, whose `value` is then its header), located.
#[derive(Clone, Debug)]
pub struct Entry {
    pub name: String,
    /// The (last segment of the) key.
    pub key: Span,
    /// Where the whole key starts (`concurrency.type` starts at `concurrency`).
    pub start: usize,
    pub value: Span,
    /// The table the entry belongs to.
    pub table: TableId,
}

/// A value read from the document, with the entry that holds it.
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    pub value: T,
    pub entry: Entry,
}

impl<T> Spanned<T> {
    pub fn span(&self) -> Span {
        self.entry.value
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceKind {
    /// `[http_service]`: ports 80 (`http`) and 443 (`tls`, `http`).
    Http,
    /// The n-th `[[services]]` entry (0-based).
    Services(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AutoStop {
    Off,
    Stop,
    Suspend,
    /// A value flyctl does not accept; kept so rules can say so.
    Unrecognised(String),
}

impl AutoStop {
    /// Whether the proxy may stop or suspend this service's Machines.
    pub fn stops(&self) -> bool {
        matches!(self, AutoStop::Stop | AutoStop::Suspend)
    }
}

#[derive(Clone, Debug)]
pub struct Handlers {
    pub entry: Entry,
    /// Each handler string with the span of its array element.
    pub items: Vec<(String, Span)>,
}

impl Handlers {
    pub fn has(&self, name: &str) -> bool {
        self.items.iter().any(|(h, _)| h.eq_ignore_ascii_case(name))
    }
    pub fn position(&self, name: &str) -> Option<usize> {
        self.items
            .iter()
            .position(|(h, _)| h.eq_ignore_ascii_case(name))
    }
    pub fn describe(&self) -> String {
        let names: Vec<String> = self.items.iter().map(|(h, _)| format!("\"{h}\"")).collect();
        format!("[{}]", names.join(", "))
    }
}

/// One public port (or port range) of a service.
#[derive(Clone, Debug)]
pub struct Port {
    pub table: Option<TableId>,
    /// The `[[services.ports]]` header or the inline table; for the implied ports of
    /// `[http_service]`, its header.
    pub anchor: Span,
    /// The two ports `[http_service]` implies; not written in the file.
    pub implied: Option<i64>,
    pub port: Option<Spanned<i64>>,
    pub start_port: Option<Spanned<i64>>,
    pub end_port: Option<Spanned<i64>>,
    pub handlers: Option<Handlers>,
    /// `handlers` of an implied port.
    pub implied_handlers: &'static [&'static str],
    pub force_https: Option<Spanned<bool>>,
    pub idle_timeout: Option<Spanned<i64>>,
    /// Every key of the port table, and of its `http_options`, for the unknown-key rule.
    pub keys: Vec<Entry>,
    pub http_option_keys: Vec<Entry>,
}

impl Port {
    /// The public ports this entry listens on, as an inclusive range.
    pub fn range(&self) -> Option<(i64, i64)> {
        if let Some(p) = self.implied {
            return Some((p, p));
        }
        if let Some(p) = &self.port {
            return Some((p.value, p.value));
        }
        match (&self.start_port, &self.end_port) {
            (None, None) => None,
            (s, e) => Some((
                s.as_ref().map_or(0, |s| s.value),
                e.as_ref().map_or(65535, |e| e.value),
            )),
        }
    }

    pub fn describe(&self) -> String {
        match self.range() {
            Some((a, b)) if a == b => format!("port {a}"),
            Some((a, b)) => format!("ports {a}-{b}"),
            None => "a port with no number".into(),
        }
    }

    pub fn has_handler(&self, name: &str) -> bool {
        match &self.handlers {
            Some(h) => h.has(name),
            None => self.implied_handlers.contains(&name),
        }
    }

    /// A port other than the HTTP(S) defaults 80 and 443: a port of its own for the service.
    pub fn is_dedicated(&self) -> bool {
        self.implied.is_none()
            && self
                .range()
                .is_some_and(|(a, b)| !((a..=b).contains(&80) || (a..=b).contains(&443)))
    }
}

/// The legacy `concurrency = "soft,hard"` string.
#[derive(Clone, Debug)]
pub struct LegacyConcurrency {
    pub entry: Entry,
    pub raw: String,
    pub soft: Option<i64>,
    pub hard: Option<i64>,
    /// flyctl parses it (`strings.Cut` on `,` then `strconv.Atoi`, so no spaces allowed).
    pub flyctl_accepts: bool,
    /// The quote the string was written with, reused when rewriting it.
    pub quote: char,
}

#[derive(Clone, Debug)]
pub struct Concurrency {
    pub table: Option<TableId>,
    /// The header, inline table, dotted key or legacy string.
    pub anchor: Span,
    pub legacy: Option<LegacyConcurrency>,
    pub kind: Option<Spanned<String>>,
    pub hard_limit: Option<Spanned<i64>>,
    pub soft_limit: Option<Spanned<i64>>,
    pub keys: Vec<Entry>,
}

impl Concurrency {
    /// `connections` or `requests` as the proxy will count; a legacy string means
    /// `requests` (flyctl's conversion); unset means `connections` (the documented default).
    pub fn effective_type(&self) -> &str {
        if self.legacy.is_some() {
            return "requests";
        }
        self.kind
            .as_ref()
            .map_or("connections", |k| k.value.as_str())
    }
    pub fn hard(&self) -> Option<i64> {
        self.hard_limit
            .as_ref()
            .map(|h| h.value)
            .or_else(|| self.legacy.as_ref().and_then(|l| l.hard))
    }
    pub fn soft(&self) -> Option<i64> {
        self.soft_limit
            .as_ref()
            .map(|s| s.value)
            .or_else(|| self.legacy.as_ref().and_then(|l| l.soft))
    }
}

/// Why wscfg treats a service as carrying WebSockets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WsReason {
    /// A comment in or right above the service's block names WebSockets.
    Comment { span: Span, word: String },
    /// `[env]` has a WebSocket-named variable whose value is the internal port.
    Env { name: String, span: Span },
    /// `[fly] websocket-ports` in wscfg.toml lists one of its ports.
    Configured(i64),
    /// The app (with this one service) is named for WebSockets: `chat-ws`, `socket-server`.
    AppName { word: String, span: Span },
    /// `[env]` has `PHX_HOST`: a Phoenix app, whose LiveView and channels run over WebSockets.
    Phoenix { span: Span },
    /// The comment block at the top of the file names WebSockets.
    FileComment { span: Span, word: String },
    /// The code the fly.toml deploys (its directory and below) declares a WebSocket server
    /// on this service's port (or the app has one service): `because` says where, and the
    /// label points there.
    Project {
        file: crate::source::FileId,
        span: Span,
        because: String,
    },
}

impl WsReason {
    pub fn describe(&self) -> String {
        match self {
            WsReason::Comment { word, .. } => format!("a comment on it says `{word}`"),
            WsReason::Env { name, .. } => {
                format!("`{name}` in [env] names its internal port")
            }
            WsReason::Configured(p) => {
                format!("port {p} is listed in [fly] websocket-ports in wscfg.toml")
            }
            WsReason::AppName { word, .. } => {
                format!("the app's name says `{word}` and this is its only service")
            }
            WsReason::Phoenix { .. } => "`PHX_HOST` in [env] marks a Phoenix app, whose LiveView \
                and channels run over WebSockets, and this is its only service"
                .to_owned(),
            WsReason::FileComment { word, .. } => format!(
                "the comment at the top of the file says `{word}` and this is the app's only service"
            ),
            WsReason::Project { because, .. } => because.clone(),
        }
    }
    /// Where the reason is written in the fly.toml itself.
    pub fn span(&self) -> Option<Span> {
        match self {
            WsReason::Comment { span, .. }
            | WsReason::Env { span, .. }
            | WsReason::AppName { span, .. }
            | WsReason::Phoenix { span }
            | WsReason::FileComment { span, .. } => Some(*span),
            WsReason::Configured(_) | WsReason::Project { .. } => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Service {
    pub kind: ServiceKind,
    pub table: TableId,
    /// The header (`[[services]]`, `[http_service]`), or what stands for it.
    pub anchor: Span,
    pub protocol: Option<Spanned<String>>,
    pub internal_port: Option<Spanned<i64>>,
    pub processes: Vec<String>,
    pub force_https: Option<Spanned<bool>>,
    pub auto_stop: Option<Spanned<AutoStop>>,
    pub min_machines_running: Option<Spanned<i64>>,
    pub ports: Vec<Port>,
    pub concurrency: Option<Concurrency>,
    /// `concurrency` written as something flyctl rejects (a bare number, say).
    pub concurrency_unrecognised: Option<Entry>,
    /// The service's own keys.
    pub keys: Vec<Entry>,
    /// Keys of `[http_service.http_options]`.
    pub http_option_keys: Vec<Entry>,
    /// Headers of the service's table and of every table under it, for comment lookup.
    pub(crate) headers: Vec<Span>,
    /// Byte ranges holding the service's own entries (one per table it owns).
    pub(crate) bodies: Vec<Span>,
    pub websocket: Option<WsReason>,
}

impl Service {
    pub fn describe(&self) -> String {
        match self.kind {
            ServiceKind::Http => "[http_service]".into(),
            ServiceKind::Services(_) => match &self.internal_port {
                Some(p) => format!("the [[services]] entry for internal port {}", p.value),
                None => "a [[services]] entry".into(),
            },
        }
    }

    /// The protocol the proxy speaks to it: `tcp` unless written otherwise.
    pub fn protocol(&self) -> &str {
        self.protocol.as_ref().map_or("tcp", |p| p.value.as_str())
    }
}

#[derive(Clone, Debug)]
pub struct EnvVar {
    pub name: String,
    pub key: Span,
    /// The value as flyctl passes it on (numbers and booleans become strings).
    pub value: String,
    pub value_span: Span,
}

#[derive(Clone, Debug)]
pub struct Process {
    pub name: String,
    pub key: Span,
    pub command: Option<String>,
}

/// A `[[vm]]` (or `[[compute]]`) entry.
#[derive(Clone, Debug)]
pub struct Vm {
    pub anchor: Span,
    pub size: Option<String>,
    pub memory: Option<String>,
    pub processes: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Mount {
    pub anchor: Span,
    pub source: Option<String>,
    pub destination: Option<String>,
}

/// A top-level `[checks.NAME]`.
#[derive(Clone, Debug)]
pub struct Check {
    pub name: String,
    pub anchor: Span,
    pub kind: Option<String>,
    pub port: Option<i64>,
}

/// Everything wscfg knows about one fly.toml.
#[derive(Clone, Debug, Default)]
pub struct FlyDoc {
    pub app: Option<Spanned<String>>,
    pub services: Vec<Service>,
    pub env: Vec<EnvVar>,
    pub processes: Vec<Process>,
    pub vms: Vec<Vm>,
    pub mounts: Vec<Mount>,
    pub checks: Vec<Check>,
    pub has_experimental: bool,
    pub tables: Vec<TableLoc>,
    /// Every table header in the file, in text order.
    pub headers: Vec<Span>,
    /// The indentation keys under headers use in this file (`"  "` for `fly launch` files).
    pub key_indent: String,
}

fn span(r: Option<std::ops::Range<usize>>) -> Span {
    r.map_or(Span::empty(0), |r| Span::new(r.start, r.end))
}

/// flyctl's `castToInt`: integers, floats (truncated) and decimal strings.
pub fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Integer(i) => Some(*i.value()),
        Value::Float(f) if f.value().is_finite() => Some(f.value().trunc() as i64),
        Value::String(s) => s.value().parse().ok(),
        _ => None,
    }
}

fn str_of(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

/// A string or an array of strings, as flyctl accepts for `processes`.
fn strings_of(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.value().clone()],
        Value::Array(a) => a.iter().filter_map(str_of).collect(),
        _ => Vec::new(),
    }
}

/// How an environment value reaches the app (flyctl formats non-strings with `%v`).
fn env_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.value().clone(),
        Value::Integer(i) => i.value().to_string(),
        Value::Float(f) => f.value().to_string(),
        Value::Boolean(b) => b.value().to_string(),
        other => other.to_string().trim().to_owned(),
    }
}

/// A table written either way.
#[derive(Clone, Copy)]
enum TRef<'a> {
    Std(&'a Table),
    Inline(&'a InlineTable),
}

/// What a key holds.
#[derive(Clone, Copy)]
enum IRef<'a> {
    Value(&'a Value),
    Table(TRef<'a>),
    Tables(&'a ArrayOfTables),
}

impl<'a> IRef<'a> {
    fn of(item: &'a Item) -> Option<IRef<'a>> {
        match item {
            Item::Value(Value::InlineTable(t)) => Some(IRef::Table(TRef::Inline(t))),
            Item::Value(v) => Some(IRef::Value(v)),
            Item::Table(t) => Some(IRef::Table(TRef::Std(t))),
            Item::ArrayOfTables(a) => Some(IRef::Tables(a)),
            Item::None => None,
        }
    }
    fn value(self) -> Option<&'a Value> {
        match self {
            IRef::Value(v) => Some(v),
            _ => None,
        }
    }
    /// One table or several: `[x]`, `[[x]]`, `x = {..}` or `x = [{..}, ..]`.
    fn tables(self) -> Vec<TRef<'a>> {
        match self {
            IRef::Table(t) => vec![t],
            IRef::Tables(a) => a.iter().map(TRef::Std).collect(),
            IRef::Value(Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_inline_table().map(TRef::Inline))
                .collect(),
            IRef::Value(_) => Vec::new(),
        }
    }
}

/// A key of a table with its located entry and what it holds.
struct Keyed<'a> {
    name: String,
    entry: Entry,
    item: IRef<'a>,
}

struct Builder<'s> {
    text: &'s str,
    doc: FlyDoc,
}

impl<'s> Builder<'s> {
    fn header_of(t: TRef<'_>) -> Option<Span> {
        match t {
            TRef::Std(t) if !t.is_implicit() && !t.is_dotted() => {
                Some(span(t.span())).filter(|s| !s.is_empty())
            }
            _ => None,
        }
    }

    /// Registers a table and returns its id with its keys, located.
    fn table<'a>(&mut self, t: TRef<'a>) -> (TableId, Vec<Keyed<'a>>) {
        let id = self.doc.tables.len();
        let kind = match t {
            TRef::Std(tt) if tt.is_dotted() => TableKind::Dotted,
            TRef::Std(_) => TableKind::Standard {
                header: Self::header_of(t),
            },
            TRef::Inline(it) => TableKind::Inline {
                span: span(it.span()),
            },
        };
        self.doc.tables.push(TableLoc {
            kind,
            entries: Vec::new(),
        });
        let mut keyed = Vec::new();
        let mut located = Vec::new();
        self.collect(t, id, None, &mut keyed, &mut located);
        self.doc.tables[id].entries = located;
        (id, keyed)
    }

    /// Walks a table's keys; `dotted_start` is where the enclosing dotted key begins.
    fn collect<'a>(
        &mut self,
        t: TRef<'a>,
        id: TableId,
        dotted_start: Option<usize>,
        keyed: &mut Vec<Keyed<'a>>,
        located: &mut Vec<Entry>,
    ) {
        let pairs: Vec<(&'a str, Option<Span>, IRef<'a>)> = match t {
            TRef::Std(tt) => tt
                .iter()
                .filter_map(|(k, item)| {
                    Some((
                        k,
                        tt.key(k).and_then(|k| k.span()).map(|r| span(Some(r))),
                        IRef::of(item)?,
                    ))
                })
                .collect(),
            TRef::Inline(it) => it
                .iter()
                .map(|(k, v)| {
                    let item = match v {
                        Value::InlineTable(t) => IRef::Table(TRef::Inline(t)),
                        v => IRef::Value(v),
                    };
                    (
                        k,
                        it.key(k).and_then(|k| k.span()).map(|r| span(Some(r))),
                        item,
                    )
                })
                .collect(),
        };
        for (name, key_span, item) in pairs {
            let key = key_span.unwrap_or_default();
            let start = dotted_start.unwrap_or(key.start);
            let value = match item {
                IRef::Value(v) => span(v.span()),
                IRef::Table(TRef::Std(tt)) => span(tt.span()),
                IRef::Table(TRef::Inline(it)) => span(it.span()),
                IRef::Tables(a) => span(a.span()),
            };
            let entry = Entry {
                name: name.to_owned(),
                key,
                start,
                value,
                table: id,
            };
            // A dotted sub-table's entries sit on this table's lines.
            let dotted = match item {
                IRef::Table(TRef::Std(tt)) if tt.is_dotted() => Some(tt),
                IRef::Table(TRef::Inline(it)) if it.is_dotted() => None,
                _ => None,
            };
            match item {
                IRef::Value(_) | IRef::Table(TRef::Inline(_)) => located.push(entry.clone()),
                _ => {}
            }
            if let Some(tt) = dotted {
                let mut inner = Vec::new();
                self.collect(TRef::Std(tt), id, Some(start), &mut Vec::new(), &mut inner);
                located.extend(inner);
            }
            keyed.push(Keyed {
                name: name.to_owned(),
                entry,
                item,
            });
        }
    }

    fn int(k: &Keyed<'_>) -> Option<Spanned<i64>> {
        k.item.value().and_then(int_of).map(|value| Spanned {
            value,
            entry: k.entry.clone(),
        })
    }

    fn string(k: &Keyed<'_>) -> Option<Spanned<String>> {
        k.item.value().and_then(str_of).map(|value| Spanned {
            value,
            entry: k.entry.clone(),
        })
    }

    fn boolean(k: &Keyed<'_>) -> Option<Spanned<bool>> {
        k.item
            .value()
            .and_then(Value::as_bool)
            .map(|value| Spanned {
                value,
                entry: k.entry.clone(),
            })
    }

    /// Every header under a table (itself included), for comment lookup.
    fn headers_under(t: TRef<'_>, out: &mut Vec<Span>) {
        if let Some(h) = Self::header_of(t) {
            out.push(h);
        }
        if let TRef::Std(tt) = t {
            for (_, item) in tt.iter() {
                match item {
                    Item::Table(sub) => Self::headers_under(TRef::Std(sub), out),
                    Item::ArrayOfTables(a) => {
                        for sub in a.iter() {
                            Self::headers_under(TRef::Std(sub), out);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    /// The byte range from a table's header (or first entry) to the end of its last entry.
    fn body(&self, id: TableId) -> Option<Span> {
        let loc = &self.doc.tables[id];
        let start = match &loc.kind {
            TableKind::Standard { header: Some(h) } => h.start,
            TableKind::Inline { span } => return Some(*span),
            _ => loc.entries.iter().map(|e| e.start).min()?,
        };
        let end = loc
            .entries
            .iter()
            .map(|e| e.value.end)
            .max()
            .unwrap_or(start)
            .max(match &loc.kind {
                TableKind::Standard { header: Some(h) } => h.end,
                _ => start,
            });
        Some(Span::new(start, end))
    }

    fn port(&mut self, t: TRef<'_>) -> Port {
        let (id, keys) = self.table(t);
        let anchor = Self::header_of(t).unwrap_or_else(|| match t {
            TRef::Inline(it) => span(it.span()),
            TRef::Std(tt) => span(tt.span()),
        });
        let mut port = Port {
            table: Some(id),
            anchor,
            implied: None,
            port: None,
            start_port: None,
            end_port: None,
            handlers: None,
            implied_handlers: &[],
            force_https: None,
            idle_timeout: None,
            keys: keys.iter().map(|k| k.entry.clone()).collect(),
            http_option_keys: Vec::new(),
        };
        for k in &keys {
            match k.name.as_str() {
                "port" => port.port = Self::int(k),
                "start_port" => port.start_port = Self::int(k),
                "end_port" => port.end_port = Self::int(k),
                "force_https" => port.force_https = Self::boolean(k),
                "handlers" => {
                    if let Some(Value::Array(a)) = k.item.value() {
                        port.handlers = Some(Handlers {
                            entry: k.entry.clone(),
                            items: a
                                .iter()
                                .filter_map(|v| Some((str_of(v)?, span(v.span()))))
                                .collect(),
                        });
                    }
                }
                "http_options" => {
                    if let IRef::Table(opts) = k.item {
                        let (_, okeys) = self.table(opts);
                        for ok in &okeys {
                            if ok.name == "idle_timeout" {
                                port.idle_timeout = Self::int(ok);
                            }
                        }
                        port.http_option_keys = okeys.into_iter().map(|k| k.entry).collect();
                    }
                }
                _ => {}
            }
        }
        port
    }

    fn concurrency(&mut self, k: &Keyed<'_>) -> Result<Concurrency, ()> {
        match k.item {
            IRef::Value(Value::String(s)) => {
                let raw = s.value().clone();
                let quote = self.text[k.entry.value.range()]
                    .chars()
                    .next()
                    .filter(|c| *c == '\'')
                    .unwrap_or('"');
                let (left, right) = raw.split_once(',').unwrap_or((raw.as_str(), ""));
                let strict = |s: &str| s.parse::<i64>().ok();
                let flyctl_accepts =
                    raw.contains(',') && strict(left).is_some() && strict(right).is_some();
                Ok(Concurrency {
                    table: None,
                    anchor: k.entry.value,
                    legacy: Some(LegacyConcurrency {
                        entry: k.entry.clone(),
                        soft: left.trim().parse().ok(),
                        hard: right.trim().parse().ok(),
                        raw,
                        flyctl_accepts,
                        quote,
                    }),
                    kind: None,
                    hard_limit: None,
                    soft_limit: None,
                    keys: Vec::new(),
                })
            }
            IRef::Table(t) => {
                let (id, keys) = self.table(t);
                let anchor = Self::header_of(t).unwrap_or(k.entry.value);
                let mut c = Concurrency {
                    table: Some(id),
                    anchor,
                    legacy: None,
                    kind: None,
                    hard_limit: None,
                    soft_limit: None,
                    keys: keys.iter().map(|k| k.entry.clone()).collect(),
                };
                for ck in &keys {
                    match ck.name.as_str() {
                        "type" => c.kind = Self::string(ck),
                        "hard_limit" => c.hard_limit = Self::int(ck),
                        "soft_limit" => c.soft_limit = Self::int(ck),
                        _ => {}
                    }
                }
                Ok(c)
            }
            _ => Err(()),
        }
    }

    fn service(&mut self, t: TRef<'_>, kind: ServiceKind, fallback_anchor: Span) -> Service {
        let (id, keys) = self.table(t);
        let mut headers = Vec::new();
        Self::headers_under(t, &mut headers);
        let anchor = Self::header_of(t)
            .or_else(|| headers.first().copied())
            .unwrap_or(match t {
                TRef::Inline(it) => span(it.span()),
                TRef::Std(_) => fallback_anchor,
            });
        let mut s = Service {
            kind,
            table: id,
            anchor,
            protocol: None,
            internal_port: None,
            processes: Vec::new(),
            force_https: None,
            auto_stop: None,
            min_machines_running: None,
            ports: Vec::new(),
            concurrency: None,
            concurrency_unrecognised: None,
            keys: keys.iter().map(|k| k.entry.clone()).collect(),
            http_option_keys: Vec::new(),
            headers,
            bodies: Vec::new(),
            websocket: None,
        };
        let mut owned = vec![id];
        for k in &keys {
            match k.name.as_str() {
                "protocol" => s.protocol = Self::string(k),
                "internal_port" => s.internal_port = Self::int(k),
                "processes" => s.processes = k.item.value().map(strings_of).unwrap_or_default(),
                "force_https" => s.force_https = Self::boolean(k),
                "min_machines_running" => s.min_machines_running = Self::int(k),
                "auto_stop_machines" => {
                    s.auto_stop = k.item.value().and_then(|v| {
                        let value = match v {
                            Value::Boolean(b) if *b.value() => AutoStop::Stop,
                            Value::Boolean(_) => AutoStop::Off,
                            Value::String(st) => match st.value().as_str() {
                                "off" => AutoStop::Off,
                                "stop" => AutoStop::Stop,
                                "suspend" => AutoStop::Suspend,
                                other => AutoStop::Unrecognised(other.to_owned()),
                            },
                            _ => return None,
                        };
                        Some(Spanned {
                            value,
                            entry: k.entry.clone(),
                        })
                    })
                }
                "ports" if kind != ServiceKind::Http => {
                    for pt in k.item.tables() {
                        let p = self.port(pt);
                        owned.extend(p.table);
                        s.ports.push(p);
                    }
                }
                "concurrency" => match self.concurrency(k) {
                    Ok(c) => {
                        owned.extend(c.table);
                        s.concurrency = Some(c);
                    }
                    Err(()) => s.concurrency_unrecognised = Some(k.entry.clone()),
                },
                "http_options" if kind == ServiceKind::Http => {
                    if let IRef::Table(opts) = k.item {
                        let (oid, okeys) = self.table(opts);
                        owned.push(oid);
                        s.http_option_keys = okeys.into_iter().map(|k| k.entry).collect();
                    }
                }
                _ => {}
            }
        }
        if kind == ServiceKind::Http {
            for (number, handlers) in [(80, &["http"][..]), (443, &["tls", "http"][..])] {
                s.ports.push(Port {
                    table: None,
                    anchor,
                    implied: Some(number),
                    port: None,
                    start_port: None,
                    end_port: None,
                    handlers: None,
                    implied_handlers: handlers,
                    force_https: if number == 80 {
                        s.force_https.clone()
                    } else {
                        None
                    },
                    idle_timeout: None,
                    keys: Vec::new(),
                    http_option_keys: Vec::new(),
                });
            }
        }
        s.bodies = owned.into_iter().filter_map(|t| self.body(t)).collect();
        s
    }

    fn env(&mut self, item: IRef<'_>) {
        for t in item.tables() {
            let (_, keys) = self.table(t);
            for k in keys {
                if let Some(v) = k.item.value() {
                    self.doc.env.push(EnvVar {
                        name: k.name,
                        key: k.entry.key,
                        value: env_text(v),
                        value_span: k.entry.value,
                    });
                }
            }
        }
    }

    fn anchor_of(t: TRef<'_>) -> Span {
        match t {
            TRef::Std(tt) => span(tt.span()),
            TRef::Inline(it) => span(it.span()),
        }
    }

    fn build(mut self, doc: &Document<&str>) -> FlyDoc {
        let root = doc.as_table();
        let (_, keys) = self.table(TRef::Std(root));
        let mut services_seen = 0;
        for k in &keys {
            match k.name.as_str() {
                "app" => self.doc.app = Self::string(k),
                "http_service" => {
                    if let IRef::Table(t) = k.item {
                        let s = self.service(t, ServiceKind::Http, k.entry.key);
                        self.doc.services.push(s);
                    }
                }
                "services" => {
                    for t in k.item.tables() {
                        let s = self.service(t, ServiceKind::Services(services_seen), k.entry.key);
                        services_seen += 1;
                        self.doc.services.push(s);
                    }
                }
                "env" => self.env(k.item),
                "processes" => {
                    if let IRef::Table(t) = k.item {
                        let (_, pkeys) = self.table(t);
                        for p in pkeys {
                            self.doc.processes.push(Process {
                                command: p.item.value().and_then(str_of),
                                name: p.name,
                                key: p.entry.key,
                            });
                        }
                    }
                }
                "vm" | "compute" => {
                    for t in k.item.tables() {
                        let (_, vkeys) = self.table(t);
                        let get = |n: &str| {
                            vkeys
                                .iter()
                                .find(|k| k.name == n)
                                .and_then(|k| k.item.value())
                        };
                        self.doc.vms.push(Vm {
                            anchor: Self::anchor_of(t),
                            size: get("size").and_then(str_of),
                            memory: get("memory").map(env_text),
                            processes: get("processes").map(strings_of).unwrap_or_default(),
                        });
                    }
                }
                "mount" | "mounts" => {
                    for t in k.item.tables() {
                        let (_, mkeys) = self.table(t);
                        let get = |n: &str| {
                            mkeys
                                .iter()
                                .find(|k| k.name == n)
                                .and_then(|k| k.item.value())
                                .and_then(str_of)
                        };
                        self.doc.mounts.push(Mount {
                            anchor: Self::anchor_of(t),
                            source: get("source"),
                            destination: get("destination"),
                        });
                    }
                }
                "checks" => {
                    if let IRef::Table(t) = k.item {
                        let (_, ckeys) = self.table(t);
                        for c in ckeys {
                            if let IRef::Table(ct) = c.item {
                                let (_, fields) = self.table(ct);
                                let get = |n: &str| {
                                    fields
                                        .iter()
                                        .find(|k| k.name == n)
                                        .and_then(|k| k.item.value())
                                };
                                self.doc.checks.push(Check {
                                    anchor: Self::anchor_of(ct),
                                    kind: get("type").and_then(str_of),
                                    port: get("port").and_then(int_of),
                                    name: c.name,
                                });
                            }
                        }
                    }
                }
                "experimental" => self.doc.has_experimental = true,
                _ => {}
            }
        }
        let mut headers = Vec::new();
        Self::headers_under(TRef::Std(root), &mut headers);
        headers.sort();
        self.doc.headers = headers;
        self.doc.key_indent = self.key_indent();
        self.doc
    }

    /// The indentation of the first key written under a header.
    fn key_indent(&self) -> String {
        for t in &self.doc.tables {
            if let (TableKind::Standard { header: Some(_) }, Some(e)) = (&t.kind, t.entries.first())
            {
                let line = self.text[..e.start].rfind('\n').map_or(0, |i| i + 1);
                let indent = &self.text[line..e.start];
                if indent.chars().all(|c| c == ' ' || c == '\t') {
                    return indent.to_owned();
                }
            }
        }
        String::new()
    }
}

impl FlyDoc {
    /// Reads the model out of a parsed document. Never fails: shapes flyctl would reject
    /// are kept as far as they can be read.
    pub fn build(doc: &Document<&str>) -> FlyDoc {
        Builder {
            text: doc.raw(),
            doc: FlyDoc::default(),
        }
        .build(doc)
    }

    pub fn service(&self, kind: ServiceKind) -> Option<&Service> {
        self.services.iter().find(|s| s.kind == kind)
    }
}

/// Keys flyctl reads in a `[[services]]` entry (`appconfig.Service`).
pub const SERVICE_KEYS: &[&str] = &[
    "protocol",
    "internal_port",
    "auto_stop_machines",
    "auto_start_machines",
    "min_machines_running",
    "ports",
    "concurrency",
    "tcp_checks",
    "http_checks",
    "machine_checks",
    "processes",
];

/// Keys flyctl reads in `[http_service]` (`appconfig.HTTPService`).
pub const HTTP_SERVICE_KEYS: &[&str] = &[
    "internal_port",
    "force_https",
    "auto_stop_machines",
    "auto_start_machines",
    "min_machines_running",
    "processes",
    "concurrency",
    "tls_options",
    "http_options",
    "checks",
    "machine_checks",
];

/// Keys of a `[[services.ports]]` entry (fly-go `MachinePort`).
pub const PORT_KEYS: &[&str] = &[
    "port",
    "start_port",
    "end_port",
    "handlers",
    "force_https",
    "tls_options",
    "http_options",
    "proxy_proto_options",
];

/// Keys of `http_options` (fly-go `HTTPOptions`).
pub const HTTP_OPTIONS_KEYS: &[&str] = &[
    "compress",
    "response",
    "h2_backend",
    "idle_timeout",
    "headers_read_timeout",
    "replay_cache",
];

/// Keys of `concurrency` (fly-go `MachineServiceConcurrency`).
pub const CONCURRENCY_KEYS: &[&str] = &["type", "hard_limit", "soft_limit"];
