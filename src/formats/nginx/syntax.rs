//! What `nginx -t` refuses in a configuration that parses: each directive is looked up in
//! nginx's directive table ([`super::directives`]) the way `ngx_conf_handler` does it
//! (core/ngx_conf_file.c): by name among the modules of the type of the block it is in, then
//! by context, block shape and argument count; the handlers that refuse a repeat and the
//! table-like blocks (`map`, `types`, `geo`, ...) whose bodies are entries read by a custom
//! handler, not directives. Problems are data; NGX000 reports them.

use super::directives::{Command, Known, ModuleType, Repeat, bits, table};
use super::listen::{Listen, parse_listen};
use super::model::NginxContext;
use super::tree::{Context, NodeId, Tree};
use crate::source::{FileId, Span};
use std::cell::RefCell;
use std::collections::HashSet;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: FileId,
    /// Starts on the line nginx names: where the directive ends (its `;` or `{`), since
    /// nginx judges a directive once it has read all of it.
    pub span: Span,
    /// nginx's own wording, then what wscfg adds.
    pub message: String,
    /// The directive's name, when it starts on an earlier line than nginx names.
    pub directive: Option<Span>,
    /// A repeat nginx refuses (`is duplicate`, a duplicate listen or default server).
    pub repeat: bool,
}

/// The configuration contexts nginx tells apart (`cf->module_type` and `cf->cmd_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    Main,
    Events,
    Http,
    HttpSrv,
    HttpLoc,
    HttpSif,
    HttpLif,
    HttpLmt,
    HttpUps,
    Stream,
    StreamSrv,
    StreamUps,
    Mail,
    MailSrv,
}

const ALL: [Ctx; 14] = [
    Ctx::Main,
    Ctx::Events,
    Ctx::Http,
    Ctx::HttpSrv,
    Ctx::HttpLoc,
    Ctx::HttpSif,
    Ctx::HttpLif,
    Ctx::HttpLmt,
    Ctx::HttpUps,
    Ctx::Stream,
    Ctx::StreamSrv,
    Ctx::StreamUps,
    Ctx::Mail,
    Ctx::MailSrv,
];

impl Ctx {
    fn module_type(self) -> ModuleType {
        use Ctx::*;
        match self {
            Main => ModuleType::Core,
            Events => ModuleType::Event,
            Http | HttpSrv | HttpLoc | HttpSif | HttpLif | HttpLmt | HttpUps => ModuleType::Http,
            Stream | StreamSrv | StreamUps => ModuleType::Stream,
            Mail | MailSrv => ModuleType::Mail,
        }
    }
    fn bit(self) -> u32 {
        use Ctx::*;
        match self {
            Main => bits::MAIN,
            Events | Http | Stream | Mail => bits::SECOND,
            HttpSrv | StreamSrv | MailSrv => bits::THIRD,
            HttpLoc | StreamUps => bits::FOURTH,
            HttpUps => bits::HTTP_UPS,
            HttpSif => bits::HTTP_SIF,
            HttpLif => bits::HTTP_LIF,
            HttpLmt => bits::HTTP_LMT,
        }
    }
    /// The definition of `name` nginx uses here: the first of a module of this context's
    /// type (or the `include` module) whose context flags include this one.
    fn command<'k>(self, known: &'k Known<'_>, name: &str) -> Option<&'k Command> {
        known.commands(name).find(|c| {
            (c.module_type == ModuleType::Conf || c.module_type == self.module_type())
                && c.flags & self.bit() != 0
        })
    }
    /// What the block of `name` opens in this context.
    fn opens(self, name: &str) -> Body {
        use Ctx::*;
        let directives = |c| Body::Directives(vec![c]);
        match (self, name) {
            (Main, "http") => directives(Http),
            (Main, "events") => directives(Events),
            (Main, "stream") => directives(Stream),
            (Main, "mail") => directives(Mail),
            (Http, "server") => directives(HttpSrv),
            (Http | Stream, "upstream") => {
                directives(if self == Http { HttpUps } else { StreamUps })
            }
            (HttpSrv | HttpLoc, "location") => directives(HttpLoc),
            (HttpSrv, "if") => directives(HttpSif),
            (HttpLoc, "if") => directives(HttpLif),
            (HttpLoc, "limit_except") => directives(HttpLmt),
            (Stream, "server") => directives(StreamSrv),
            (Mail, "server") => directives(MailSrv),
            (Http | HttpSrv | HttpLoc, "types") => Body::Entries(Entries::Types),
            (Http | Stream, "map") => Body::Entries(Entries::Map),
            (Http | Stream, "geo") => Body::Entries(Entries::Geo),
            (Http | Stream, "split_clients") => Body::Entries(Entries::SplitClients),
            (Http, "charset_map") => Body::Entries(Entries::CharsetMap),
            _ => Body::Opaque,
        }
    }
}

/// Blocks read by a custom handler (`cf->handler`): each line is an entry, never a directive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Entries {
    Map,
    Geo,
    Types,
    SplitClients,
    CharsetMap,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Body {
    /// Directives, in one of these contexts (more than one where a fragment's is unknown).
    Directives(Vec<Ctx>),
    Entries(Entries),
    /// Not judged: the block of an unknown or third-party directive.
    Opaque,
}

/// nginx's tokenizer buffer (NGX_CONF_BUFFER): a word or comment must fit in it.
const CONF_BUFFER: usize = 4096;

/// Every problem `nginx -t` would report in the configuration, in file order per block.
pub fn check(cx: &NginxContext<'_>) -> Vec<Problem> {
    let known = table().known(cx.settings.version, cx.settings.modules.as_deref());
    let tree = &cx.tree;
    let root_body = Body::Directives(root_contexts(cx));
    // A build with undeclared third-party modules (a `content_by_lua_block` shows OpenResty)
    // likely has more of them (set-misc, echo, ...): its unknown directives are not judged.
    let custom_build = cx.settings.modules.is_none()
        && tree.all().any(|n| {
            let name = tree.name(n);
            !name.is_empty() && known.commands(name).next().is_some_and(|c| c.third_party)
        });
    let judge_unknown = !custom_build && !tree.all().any(|n| loads_modules(tree, n));
    let checker = Checker {
        cx,
        known: &known,
        judge_unknown,
        listens: RefCell::new(Vec::new()),
    };
    let mut out = Vec::new();
    let mut work = vec![(tree.root(), root_body)];
    while let Some((node, body)) = work.pop() {
        match body {
            Body::Directives(contexts) => {
                checker.directives(node, &contexts, &mut out, &mut work);
            }
            Body::Entries(kind) => checker.entries(node, kind, &mut out),
            Body::Opaque => {}
        }
    }
    checker.duplicate_listens(&mut out);
    out.retain(|p| !templated(cx, p));
    out.sort_by_key(|p| (p.file, p.span.start));
    out
}

/// What nginx reads at a problem in a template is only known once it is rendered: a line with
/// template syntax is never judged, nor a repeat in a file whose control tags may keep only
/// one of the two.
fn templated(cx: &NginxContext<'_>, p: &Problem) -> bool {
    let Some(t) = cx
        .tree
        .parsed
        .get(&p.file)
        .and_then(|f| f.template.as_deref())
    else {
        return false;
    };
    (p.repeat && t.has_control) || t.on_lines_of(&cx.db.get(p.file).text, p.span)
}

/// The contexts a root file's top level may be in: the one stated (`--context`, a
/// `# wscfg: context` comment) or certain (a main file), else every context.
fn root_contexts(cx: &NginxContext<'_>) -> Vec<Ctx> {
    let tree = &cx.tree;
    let stated = cx.settings.context.is_some() || states_context(&cx.db.get(tree.root_file).text);
    match tree.node(tree.root()).context() {
        Context::Main => vec![Ctx::Main],
        Context::Http if stated => vec![Ctx::Http],
        Context::Server if stated => vec![Ctx::HttpSrv],
        Context::Location if stated => vec![Ctx::HttpLoc],
        _ => ALL.to_vec(),
    }
}

/// Whether the file has a `# wscfg: context ...` line (read by [`super::load::root_context`]).
fn states_context(text: &str) -> bool {
    text.lines().any(|l| {
        l.trim_start()
            .strip_prefix('#')
            .and_then(|c| c.trim().strip_prefix("wscfg:"))
            .is_some_and(|c| c.trim().starts_with("context"))
    })
}

/// `load_module`, or an include of the packaged modules directory (Debian's
/// `include /etc/nginx/modules-enabled/*.conf;`): directives wscfg does not know may come
/// from the modules it loads.
fn loads_modules(tree: &Tree<'_>, n: NodeId) -> bool {
    let Some(d) = tree.dir(n) else {
        return false;
    };
    d.name() == "load_module"
        || (d.name() == "include"
            && tree.parent(n) == Some(tree.root())
            && d.arg(0).is_some_and(|p| p.contains("modules")))
}

struct Checker<'c, 'a> {
    cx: &'c NginxContext<'a>,
    known: &'c Known<'c>,
    /// False when loaded modules may define directives the table lacks.
    judge_unknown: bool,
    /// The `listen`s of http servers: (server, listen, socket, default_server).
    listens: RefCell<Vec<(NodeId, NodeId, Listen, bool)>>,
}

/// One context's verdict on a directive.
enum Verdict {
    Accepted(Repeat, Body),
    NotAllowed,
    Refused(String, Body),
}

impl Checker<'_, '_> {
    fn problem(&self, node: NodeId, span: Span, message: String) -> Problem {
        Problem {
            file: self.cx.tree.node(node).file,
            span,
            message,
            directive: None,
            repeat: false,
        }
    }

    /// [`Self::at_directive`] for a repeat nginx refuses.
    fn repeat(&self, node: NodeId, message: String) -> Problem {
        Problem {
            repeat: true,
            ..self.at_directive(node, message)
        }
    }

    /// A problem with the whole directive at `node`, on nginx's line (see [`Problem::span`]).
    fn at_directive(&self, node: NodeId, message: String) -> Problem {
        let d = self.cx.tree.dir(node).expect("a directive");
        let text = &self.cx.db.get(self.cx.tree.node(node).file).text;
        let end = d.block().map_or(d.span().end - 1, |b| b.open);
        let line = text[..end].rfind('\n').map_or(0, |i| i + 1);
        let name = d.name.span();
        let start = if line <= name.start {
            name.start
        } else {
            line + text[line..end].len() - text[line..end].trim_start().len()
        };
        Problem {
            directive: (start > name.start).then_some(name),
            ..self.problem(node, Span::new(start, end + 1), message)
        }
    }

    fn directives(
        &self,
        block: NodeId,
        contexts: &[Ctx],
        out: &mut Vec<Problem>,
        work: &mut Vec<(NodeId, Body)>,
    ) {
        let tree = &self.cx.tree;
        let mut seen: HashSet<&str> = HashSet::new();
        for &n in tree.children(block) {
            let d = tree.dir(n).expect("children have directives");
            let name = d.name();
            self.too_long_words(n, out);
            if let Some(p) = self.byte_order_mark(n) {
                out.push(p);
                continue;
            }
            if self.known.commands(name).next().is_none() {
                if self.judge_unknown
                    && !self.cx.settings.extra_directives.iter().any(|x| x == name)
                {
                    out.push(self.at_directive(n, self.unknown(name)));
                }
                continue;
            }
            // A third-party module's release is unknown until it is declared: its
            // directives are judged only then.
            if self.cx.settings.modules.is_none()
                && self.known.commands(name).all(|c| c.third_party)
            {
                continue;
            }
            let verdicts: Vec<Verdict> = contexts.iter().map(|&c| self.verdict(c, n)).collect();
            let mut accepted = verdicts.iter().filter_map(|v| match v {
                Verdict::Accepted(repeat, body) => Some((*repeat, body)),
                _ => None,
            });
            if let Some((repeat, body)) = accepted.next() {
                let mut body = body.clone();
                let mut refused_twice = repeat == Repeat::Refused;
                for (r, b) in accepted {
                    refused_twice &= r == Repeat::Refused;
                    if let (Body::Directives(all), Body::Directives(more)) = (&mut body, b) {
                        all.extend(more.iter().filter(|c| !all.contains(c)).collect::<Vec<_>>());
                    }
                }
                if refused_twice && !seen.insert(name) {
                    out.push(self.repeat(n, format!("\"{name}\" directive is duplicate")));
                }
                if name == "listen" && contexts == [Ctx::HttpSrv] {
                    self.note_listen(block, n);
                }
                work.push((n, body));
                continue;
            }
            // Refused in every context it may be in: nginx's message for the first.
            let refusal = verdicts.into_iter().find_map(|v| match v {
                Verdict::Refused(message, body) => Some((message, body)),
                _ => None,
            });
            match refusal {
                Some((message, body)) => {
                    out.push(self.at_directive(n, message));
                    work.push((n, body));
                }
                None => out.push(self.at_directive(
                    n,
                    format!(
                        "\"{name}\" directive is not allowed here (in {})",
                        describe(contexts)
                    ),
                )),
            }
        }
    }

    /// What nginx makes of the directive at `n` in context `ctx`.
    fn verdict(&self, ctx: Ctx, n: NodeId) -> Verdict {
        let d = self.cx.tree.dir(n).expect("a directive");
        let name = d.name();
        let Some(cmd) = ctx.command(self.known, name) else {
            return Verdict::NotAllowed;
        };
        let body = if cmd.third_party {
            Body::Opaque
        } else {
            ctx.opens(name)
        };
        let message = match (cmd.is_block(), d.block().is_some()) {
            (false, true) => format!("directive \"{name}\" is not terminated by \";\""),
            (true, false) => format!("directive \"{name}\" has no opening \"{{\""),
            _ if !cmd.takes(d.args.len() + 1) => {
                format!("invalid number of arguments in \"{name}\" directive")
            }
            _ => return Verdict::Accepted(cmd.repeat, body),
        };
        Verdict::Refused(message, body)
    }

    fn unknown(&self, name: &str) -> String {
        let mut m = format!("unknown directive \"{name}\"");
        if let Some(module) = self.known.undeclared_module(name) {
            m.push_str(&format!(
                " (it comes from the third-party module `{module}`: declare it with \
                 `[nginx] modules = [\"{module}\"]` in wscfg.toml)"
            ));
        } else if let Some((first, last)) = self.known.releases_with(name) {
            m.push_str(&format!(
                " in nginx {} (nginx {first} to {last} have it; --nginx-version picks the release)",
                self.known.version(),
            ));
        } else {
            m.push_str(&crate::suggest::did_you_mean(name, self.known.names()));
        }
        m
    }

    /// nginx does not skip a UTF-8 byte order mark: it is part of the first word.
    fn byte_order_mark(&self, n: NodeId) -> Option<Problem> {
        let d = self.cx.tree.dir(n)?;
        let text = &self.cx.db.get(self.cx.tree.node(n).file).text;
        (d.name.span().start == 3 && text.starts_with('\u{feff}')).then(|| {
            self.problem(
                n,
                Span::new(0, d.name.span().end),
                format!(
                    "unknown directive \"\u{feff}{}\": the file starts with a UTF-8 byte order \
                     mark, which nginx reads as part of the first directive's name",
                    d.name()
                ),
            )
        })
    }

    /// Words nginx's 4 KiB token buffer cannot hold (ngx_conf_read_token): the bytes it
    /// still holds from a word's start when it reads the byte that ends the word reach
    /// [`CONF_BUFFER`] and the file goes on.
    fn too_long_words(&self, n: NodeId, out: &mut Vec<Problem>) {
        let Some(d) = self.cx.tree.dir(n) else {
            return;
        };
        let bytes = self.cx.db.get(self.cx.tree.node(n).file).text.as_bytes();
        for w in std::iter::once(&d.name).chain(d.args.iter()) {
            let span = w.span();
            let start = span.start + usize::from(w.quoted());
            let ends_directive = matches!(bytes.get(span.end), Some(b';' | b'{'));
            // After a space nginx reads one more byte before it lets go of the word.
            let last = span.end + usize::from(!ends_directive);
            if last >= start + CONF_BUFFER && start + CONF_BUFFER < bytes.len() {
                let head = String::from_utf8_lossy(&bytes[start..(start + 10).min(span.end)]);
                let message = if w.quoted() && span.end > start + CONF_BUFFER {
                    format!(
                        "too long parameter, probably missing terminating \"{}\" character",
                        bytes[span.start] as char
                    )
                } else {
                    format!("too long parameter \"{head}...\" started")
                };
                out.push(self.problem(
                    n,
                    span,
                    format!("{message} (nginx reads words of up to 4,095 bytes)"),
                ));
            }
        }
    }

    fn note_listen(&self, server: NodeId, n: NodeId) {
        let d = self.cx.tree.dir(n).expect("a directive");
        let args: Vec<&str> = d.args.iter().map(|w| w.value.as_str()).collect();
        // Addresses only: a host name may resolve to the same socket as another.
        if let Some(l) = parse_listen(n, &args).filter(|l| {
            l.addr == "*" || l.addr.starts_with('[') || l.addr.parse::<std::net::Ipv4Addr>().is_ok()
        }) {
            let default = args[1..]
                .iter()
                .any(|a| matches!(*a, "default_server" | "default"));
            self.listens.borrow_mut().push((server, n, l, default));
        }
    }

    /// ngx_http_add_addresses, in file order: a server listening twice on one address and
    /// port is "a duplicate listen 0.0.0.0:80"; a second `default_server` on one is "a
    /// duplicate default server for 0.0.0.0:80".
    fn duplicate_listens(&self, out: &mut Vec<Problem>) {
        let mut all = self.listens.take();
        // Servers are made in file order, and each one's directives too.
        all.sort_by_key(|(server, listen, _, _)| (*server, *listen));
        let mut sockets: HashSet<(NodeId, String, Option<u16>)> = HashSet::new();
        let mut defaults: HashSet<(String, Option<u16>)> = HashSet::new();
        for (server, n, l, default) in all {
            let shown = if l.addr == "*" {
                format!("0.0.0.0:{}", l.port.unwrap_or(80))
            } else {
                l.display()
            };
            if !sockets.insert((server, l.addr.clone(), l.port)) {
                out.push(self.repeat(n, format!("a duplicate listen {shown}")));
            } else if default && !defaults.insert((l.addr.clone(), l.port)) {
                out.push(self.repeat(n, format!("a duplicate default server for {shown}")));
            }
        }
    }

    fn entries(&self, block: NodeId, kind: Entries, out: &mut Vec<Problem>) {
        let tree = &self.cx.tree;
        for &n in tree.children(block) {
            let d = tree.dir(n).expect("children have directives");
            self.too_long_words(n, out);
            if let Some(b) = d.block() {
                out.push(self.problem(
                    n,
                    Span::new(b.open, b.open + 1),
                    "unexpected \"{\" (entries of this block are not blocks)".to_owned(),
                ));
                continue;
            }
            let words = d.args.len() + 1;
            let key = d.name();
            let message = match kind {
                Entries::Map
                    if !(words == 2 || words == 1 && matches!(key, "hostnames" | "volatile")) =>
                {
                    "invalid number of the map parameters"
                }
                Entries::Geo
                    if !(words == 2
                        || words == 1
                            && matches!(key, "ranges" | "proxy_recursive" | "volatile")) =>
                {
                    "invalid number of the geo parameters"
                }
                Entries::Types if key == "include" && words != 2 => {
                    "invalid number of arguments in \"include\" directive"
                }
                Entries::CharsetMap if words != 2 => "invalid parameters number",
                _ => continue,
            };
            out.push(self.at_directive(n, message.to_owned()));
        }
    }
}

fn describe(contexts: &[Ctx]) -> &'static str {
    use Ctx::*;
    match contexts {
        [Main] => "the main context",
        [Events] => "events",
        [Http] => "http",
        [HttpSrv] => "an http server",
        [HttpLoc] => "a location",
        [HttpSif] => "an if block of a server",
        [HttpLif] => "an if block of a location",
        [HttpLmt] => "limit_except",
        [HttpUps] => "an http upstream",
        [Stream] => "stream",
        [StreamSrv] => "a stream server",
        [StreamUps] => "a stream upstream",
        [Mail] => "mail",
        [MailSrv] => "a mail server",
        _ => "any context this block may be in",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::nginx::settings::Settings as NginxSettings;
    use crate::formats::nginx::{load, tree};
    use crate::source::SourceDb;

    fn problems_with(files: &[(&str, &str)], settings: &NginxSettings) -> Vec<(String, String)> {
        // Includes are read from the disk.
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            std::fs::write(dir.path().join(path), text).unwrap();
        }
        let mut db = SourceDb::default();
        let root = db.add(dir.path().join(files[0].0), files[0].1.to_owned());
        let loaded = load::load(&mut db, &[root], settings);
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        let (root, context) = loaded.roots[0];
        let tree = tree::Tree::build(&loaded.parsed, &loaded.includes, root, context);
        let cx = NginxContext::new(tree, &db, settings);
        check(&cx)
            .into_iter()
            .map(|p| (db.get(p.file).text[p.span.range()].to_owned(), p.message))
            .collect()
    }

    fn problems(text: &str) -> Vec<(String, String)> {
        problems_with(&[("nginx.conf", text)], &NginxSettings::default())
    }

    fn messages(text: &str) -> Vec<String> {
        problems(text).into_iter().map(|p| p.1).collect()
    }

    const MAIN: &str = "events {}\nhttp {\n%\n}\n";

    fn in_http(body: &str) -> Vec<String> {
        messages(&MAIN.replace('%', body))
    }

    #[test]
    fn argument_counts_and_block_shapes_are_checked_like_nginx() {
        assert_eq!(
            problems("user;\nevents {}"),
            [(
                "user;".to_owned(),
                "invalid number of arguments in \"user\" directive".to_owned()
            )]
        );
        assert_eq!(
            in_http("server { location /x; }"),
            ["directive \"location\" has no opening \"{\""]
        );
        assert_eq!(
            in_http("server { location / { proxy_pass x { } } }"),
            ["directive \"proxy_pass\" is not terminated by \";\""]
        );
        assert_eq!(
            in_http("gzip on off; server x { } expires;"),
            [
                "invalid number of arguments in \"gzip\" directive",
                "invalid number of arguments in \"server\" directive",
                "invalid number of arguments in \"expires\" directive",
            ]
        );
        assert!(in_http("error_log /x debug_http debug_core; log_format a '$a' '$b';").is_empty());
    }

    #[test]
    fn unknown_directives_get_a_suggestion_and_contexts_are_nginx_s() {
        assert_eq!(
            in_http("server { Listen 80; location / { proxy_passs x; } proxy_pass x; }"),
            [
                "unknown directive \"Listen\"; did you mean `listen`?",
                "unknown directive \"proxy_passs\"; did you mean `proxy_pass`?",
                "\"proxy_pass\" directive is not allowed here (in an http server)",
            ]
        );
        assert_eq!(
            in_http("if ($a) { } server { location / { if ($a) { if ($b) { } } } }"),
            [
                "\"if\" directive is not allowed here (in http)",
                "\"if\" directive is not allowed here (in an if block of a location)",
            ]
        );
        assert!(messages("load_module x.so;\nevents {}\nhttp { more_set_headers a; }").is_empty());
        // OpenResty: lua shows a custom build, whose other modules wscfg may not know.
        let openresty = "events {}\nhttp { server { location / { content_by_lua_block { } \
                         set_unescape_uri $a $b; } } }";
        assert!(messages(openresty).is_empty());
        assert_eq!(
            messages(&openresty.replace("content_by_lua_block { }", "")),
            ["unknown directive \"set_unescape_uri\""]
        );
    }

    #[test]
    fn repeats_are_refused_where_the_module_refuses_them() {
        assert_eq!(
            in_http(
                "server { location / { root /a; root /b; proxy_pass x; proxy_pass y; add_header a b; add_header a b; } }"
            ),
            [
                "\"root\" directive is duplicate",
                "\"proxy_pass\" directive is duplicate"
            ]
        );
        // Another block is another configuration: no repeat.
        assert!(in_http("root /a; server { root /b; location / { root /c; } }").is_empty());
    }

    #[test]
    fn a_second_default_server_or_listen_on_one_socket_is_refused() {
        assert_eq!(
            in_http(
                "server { listen 80 default_server; } server { listen 127.0.0.1:80 default_server; } \
                 server { listen *:80 default_server; } server { listen [::]:80 default_server; }"
            ),
            ["a duplicate default server for 0.0.0.0:80"]
        );
        assert!(in_http("server { listen 80 default_server; } server { listen 80; }").is_empty());
        assert_eq!(
            in_http("server { listen 80 default_server; listen 0.0.0.0:80 default_server; }"),
            ["a duplicate listen 0.0.0.0:80"]
        );
    }

    #[test]
    fn table_bodies_hold_entries_not_directives() {
        let map = "map $http_x_forwarded_proto $p { default $scheme; https https; http http; \
                   location x; if y; upstream z; set a; events b; add_header c; hostnames; }";
        assert!(in_http(map).is_empty());
        assert!(in_http("types { text/html html htm; location x; }").is_empty());
        assert_eq!(
            in_http("map $a $b { a b c; volatile; x; } map $a { } map $a $c { a { } }"),
            [
                "invalid number of the map parameters",
                "invalid number of the map parameters",
                "invalid number of arguments in \"map\" directive",
                "unexpected \"{\" (entries of this block are not blocks)",
            ]
        );
        assert_eq!(
            in_http("geo $g { default 0; ranges; 10.0.0.0/8 1 2; } charset_map a b { 80 ; }"),
            [
                "invalid number of the geo parameters",
                "invalid parameters number"
            ]
        );
    }

    #[test]
    fn entries_from_an_include_inside_a_map_are_entries() {
        let root = "events {}\nhttp { map $a $b { include entries.conf; } }\n";
        let entries = "http http;\nlocation /x;\nupstream a;\n";
        let got = problems_with(
            &[("nginx.conf", root), ("entries.conf", entries)],
            &NginxSettings::default(),
        );
        assert!(got.is_empty(), "{got:?}");
        let got = problems_with(
            &[("nginx.conf", root), ("entries.conf", "a b c;\n")],
            &NginxSettings::default(),
        );
        assert_eq!(
            got,
            [(
                "a b c;".to_owned(),
                "invalid number of the map parameters".to_owned()
            )]
        );
    }

    #[test]
    fn the_release_and_declared_modules_decide_what_is_known() {
        let text = MAIN.replace('%', "server { http2 on; more_set_headers 'A: b'; }");
        let v122 = NginxSettings {
            version: Some((1, 22, 1)),
            modules: Some(vec!["lua".into()]),
            ..NginxSettings::default()
        };
        let got: Vec<String> = problems_with(&[("nginx.conf", &text)], &v122)
            .into_iter()
            .map(|p| p.1)
            .collect();
        assert_eq!(got.len(), 2);
        assert!(got[0].starts_with("unknown directive \"http2\" in nginx 1.22.1 (nginx 1.25.1 to"));
        assert!(
            got[1].contains("third-party module `headers-more`"),
            "{got:?}"
        );
        let declared = NginxSettings {
            modules: Some(vec!["headers-more".into()]),
            extra_directives: vec!["my_thing".into()],
            ..NginxSettings::default()
        };
        let text = MAIN.replace(
            '%',
            "server { http2 on; more_set_headers 'A: b'; my_thing; }",
        );
        assert!(problems_with(&[("nginx.conf", &text)], &declared).is_empty());
    }

    #[test]
    fn a_fragment_of_unknown_context_is_judged_in_every_context_it_may_be_in() {
        // `proxy_pass` in a server is right for stream: no verdict without the context.
        assert!(messages("server { listen 80; proxy_pass x; }").is_empty());
        assert_eq!(
            messages("server { location / { listen 80; } }"),
            ["\"listen\" directive is not allowed here (in a location)"]
        );
        assert_eq!(
            messages("# wscfg: context http\nlocation / { }"),
            ["\"location\" directive is not allowed here (in http)"]
        );
        assert!(messages("location / { }").is_empty());
    }

    #[test]
    fn a_problem_starts_on_the_line_nginx_names_and_keeps_the_directive_s_start() {
        let text = "events {}\nhttp {\n    log_formatt main\n        '$a';\n}\n";
        let settings = NginxSettings::default();
        let mut db = SourceDb::default();
        let file = db.add("nginx.conf".into(), text.to_owned());
        let loaded = load::load(&mut db, &[file], &settings);
        let (root, context) = loaded.roots[0];
        let tree = tree::Tree::build(&loaded.parsed, &loaded.includes, root, context);
        let cx = NginxContext::new(tree, &db, &settings);
        let [p] = &check(&cx)[..] else {
            panic!("one problem expected")
        };
        // nginx: `unknown directive "log_formatt" in nginx.conf:4`, the line of the `;`.
        assert_eq!(db.get(file).line_col(p.span.start).line, 4);
        assert_eq!(&text[p.span.range()], "'$a';");
        assert_eq!(p.directive.map(|s| &text[s.range()]), Some("log_formatt"));
    }

    #[test]
    fn too_long_words_and_a_byte_order_mark_are_refused() {
        let long = "a".repeat(5000);
        let got = in_http(&format!("add_header X {long};"));
        assert_eq!(got.len(), 1);
        assert!(got[0].starts_with("too long parameter \"aaaaaaaaaa...\" started"));
        assert!(in_http(&format!("add_header X {};", "a".repeat(4000))).is_empty());
        assert_eq!(
            messages("\u{feff}events {}"),
            [
                "unknown directive \"\u{feff}events\": the file starts with a UTF-8 byte order mark, \
              which nginx reads as part of the first directive's name"
            ]
        );
    }
}
