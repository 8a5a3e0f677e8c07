//! `wscfg init fly`: a fly.toml whose services carry WebSockets well: an `[http_service]`
//! (WebSockets through the proxy's http handler on the app's port) and, for a dedicated
//! WebSocket port, a `[[services]]` entry with the `tls` handler only. The text is parsed
//! into wscfg's fly.toml model (which must mark the WebSocket services as such, so the
//! WebSocket rules really judge them) and linted by every FLY rule before it is shown.

use super::{Generated, Writer, internal_error, require_clean};
use crate::config::FlySettings;
use crate::formats::Format;
use crate::formats::fly::model::{AutoStop, ServiceKind};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    pub app: String,
    /// The app's HTTP port inside the Machine.
    pub http_port: u16,
    /// A port of its own for WebSockets (internal and public); `None` = same port as HTTP.
    pub ws_port: Option<u16>,
    pub region: Option<String>,
}

const DEFAULT_HTTP_PORT: u16 = 8080;

impl Options {
    /// The options, once checked.
    pub fn validated(self) -> Result<Options, String> {
        self.validate()?;
        Ok(self)
    }

    fn validate(&self) -> Result<(), String> {
        let valid = !self.app.is_empty()
            && self.app.len() <= 63
            && self
                .app
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !self.app.starts_with('-')
            && !self.app.ends_with('-');
        if !valid {
            return Err(format!(
                "--app `{}`: Fly app names are lowercase letters, digits and dashes",
                self.app
            ));
        }
        if let Some(r) = &self.region
            && !(r.len() == 3 && r.chars().all(|c| c.is_ascii_lowercase()))
        {
            return Err(format!(
                "--region `{r}`: Fly region codes are three lowercase letters (ams, iad, ...)"
            ));
        }
        if self.http_port == 0 {
            return Err("--http-port must be a port number (1-65535)".into());
        }
        if let Some(ws) = self.ws_port {
            if ws == 0 {
                return Err("--ws-port must be a port number (1-65535)".into());
            }
            if ws == self.http_port {
                return Err(format!(
                    "--ws-port {ws} is the HTTP port; for one port, use --same-port (the default)"
                ));
            }
            if ws == 80 || ws == 443 {
                return Err(format!(
                    "--ws-port {ws}: public ports 80 and 443 belong to [http_service]; pick \
                     another port for WebSockets, or use --same-port"
                ));
            }
        }
        Ok(())
    }

    pub fn command_line(&self) -> String {
        let mut c = format!("wscfg init fly --app {}", self.app);
        if self.http_port != DEFAULT_HTTP_PORT {
            c.push_str(&format!(" --http-port {}", self.http_port));
        }
        if let Some(p) = self.ws_port {
            c.push_str(&format!(" --ws-port {p}"));
        }
        if let Some(r) = &self.region {
            c.push_str(&format!(" --region {r}"));
        }
        c
    }
}

/// A Fly app name from a directory name: lowercase, anything else becomes `-`.
pub fn app_name_from_dir(dir: &Path) -> String {
    let raw = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut name = String::new();
    for c in raw.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            name.push(c);
        } else if !name.ends_with('-') && !name.is_empty() {
            name.push('-');
        }
    }
    let name: String = name.trim_end_matches('-').chars().take(63).collect();
    let name = name.trim_end_matches('-').to_owned();
    if name.is_empty() {
        "my-app".into()
    } else {
        name
    }
}

/// Generates, checks and returns the fly.toml.
pub fn generate(o: &Options) -> Result<Generated, String> {
    o.validate()?;
    let text = render(o);
    let name = Path::new("fly.toml");
    require_clean(Format::Fly, name, &text)?;
    check_model(o, &text).map_err(|p| internal_error(Format::Fly, &p, &text))?;
    let mut next_steps = vec![format!(
        "the app must listen on 0.0.0.0:{} (not 127.0.0.1){}",
        o.http_port,
        match o.ws_port {
            Some(p) => format!(", and serve WebSockets on 0.0.0.0:{p}"),
            None => String::new(),
        }
    )];
    if let Some(p) = o.ws_port {
        next_steps.push(format!(
            "clients connect to wss://{}.fly.dev:{p} (or your own domain with a Fly certificate)",
            o.app
        ));
    }
    next_steps.push("deploy with `fly deploy`; after editing the file, `wscfg check` it".into());
    Ok(Generated {
        format: Format::Fly,
        text,
        default_path: Some(PathBuf::from("fly.toml")),
        next_steps,
        advice: Vec::new(),
    })
}

fn autostop(w: &mut Writer, why: &str) {
    w.comment(why);
    w.line("auto_stop_machines = \"off\"");
    w.line("auto_start_machines = true");
}

fn concurrency(w: &mut Writer, table: &str) {
    let s = FlySettings::default();
    w.blank();
    w.comment(
        "WebSocket: an open socket holds one connection for its whole life, so the limits \
         count connections and leave room for many sockets on each Machine (`fly launch` \
         used to write 25, which 25 idle sockets fill).",
    );
    w.line(&format!("[{table}]"));
    w.enter();
    w.line("type = \"connections\"");
    w.line(&format!("soft_limit = {}", s.target_soft_limit()));
    w.line(&format!("hard_limit = {}", s.target_hard_limit));
    w.leave();
}

fn render(o: &Options) -> String {
    let mut w = Writer::new("  ");
    w.comment(&format!(
        "fly.toml for the Fly app {}, ready for WebSockets.",
        o.app
    ));
    w.comment(&format!(
        "Generated by `{}`. Every WebSocket-related setting says why it is there; `wscfg \
         check` this file after editing it.",
        o.command_line()
    ));
    w.line(&format!("app = \"{}\"", o.app));
    if let Some(r) = &o.region {
        w.line(&format!("primary_region = \"{r}\""));
    }
    w.blank();
    match o.ws_port {
        None => w.comment(
            "HTTP and WebSocket traffic share the app's port: the proxy's http handler passes \
             WebSocket upgrades through to the app.",
        ),
        Some(_) => w.comment("HTTP traffic on ports 80 and 443."),
    }
    w.line("[http_service]");
    w.enter();
    w.comment(&format!(
        "The app must listen on 0.0.0.0:{0} (or [::]:{0}), not on 127.0.0.1, or the proxy \
         cannot reach it.",
        o.http_port
    ));
    w.line(&format!("internal_port = {}", o.http_port));
    if o.ws_port.is_none() {
        w.comment(
            "WebSocket: plain http:// is redirected to https://; WebSocket clients need not \
             follow redirects (RFC 6455; browsers do not), so they must use wss://, and \
             browsers refuse ws:// from an https page anyway.",
        );
    }
    w.line("force_https = true");
    match o.ws_port {
        None => autostop(
            &mut w,
            "WebSocket: stopping a Machine closes every socket open on it, so the proxy does \
             not stop Machines when traffic is low. (\"stop\" with min_machines_running = 1 \
             costs less, but then sockets on the extra Machines are dropped whenever traffic \
             falls.)",
        ),
        Some(_) => autostop(
            &mut w,
            "WebSocket: the same Machines serve the WebSocket port below, and stopping one \
             closes every socket open on it, so the proxy does not stop Machines.",
        ),
    }
    concurrency(&mut w, "http_service.concurrency");
    w.leave();
    if let Some(ws) = o.ws_port {
        w.blank();
        w.comment(&format!(
            "WebSockets on a port of their own: clients connect to wss://{}.fly.dev:{ws}.",
            o.app
        ));
        w.line("[[services]]");
        w.enter();
        w.line("protocol = \"tcp\"");
        w.comment(&format!(
            "The app's WebSocket server must listen on 0.0.0.0:{ws}."
        ));
        w.line(&format!("internal_port = {ws}"));
        autostop(
            &mut w,
            "WebSocket: stopping a Machine closes every socket open on it.",
        );
        w.blank();
        w.line("[[services.ports]]");
        w.enter();
        w.line(&format!("port = {ws}"));
        w.comment(
            "WebSocket: `tls` alone terminates TLS and passes the socket's bytes straight to the \
             app; with the `http` handler the proxy would re-send each handshake over its own \
             pooled connections. The TLS handler also lets the free shared IPv4 address serve \
             this port.",
        );
        w.line("handlers = [\"tls\"]");
        w.comment(
            "WebSocket handshakes are HTTP/1.1: offer only that, so no client negotiates \
             HTTP/2, which the proxy would pass to the app as h2c.",
        );
        w.line("tls_options = { alpn = [\"http/1.1\"] }");
        w.leave();
        concurrency(&mut w, "services.concurrency");
        w.leave();
    }
    w.finish()
}

/// The fly model agrees with what the template meant: every service it wrote for WebSockets
/// is recognised as one (so the WebSocket rules judged it), with the ports, handlers,
/// autostop and concurrency the options asked for.
fn check_model(o: &Options, text: &str) -> Result<(), String> {
    let doc = crate::formats::fly::load(text, &FlySettings::default())
        .map_err(|(_, m)| format!("does not parse: {m}"))?;
    if doc.app.as_ref().map(|a| a.value.as_str()) != Some(o.app.as_str()) {
        return Err("does not name the app".into());
    }
    let http = doc
        .service(ServiceKind::Http)
        .ok_or("has no [http_service]")?;
    if http.internal_port.as_ref().map(|p| p.value) != Some(i64::from(o.http_port)) {
        return Err("[http_service] does not use the HTTP port".into());
    }
    let mut ws_services = vec![http];
    if let Some(ws) = o.ws_port {
        let [s] = doc
            .services
            .iter()
            .filter(|s| s.kind != ServiceKind::Http)
            .collect::<Vec<_>>()[..]
        else {
            return Err("should have exactly one [[services]] entry".into());
        };
        if s.internal_port.as_ref().map(|p| p.value) != Some(i64::from(ws)) || s.protocol() != "tcp"
        {
            return Err("the WebSocket service does not use the WebSocket port over tcp".into());
        }
        let [p] = &s.ports[..] else {
            return Err("the WebSocket service should have one public port".into());
        };
        if !p.is_dedicated()
            || p.range() != Some((i64::from(ws), i64::from(ws)))
            || !p.has_handler("tls")
            || p.has_handler("http")
        {
            return Err("the WebSocket port should be its own, with the tls handler only".into());
        }
        ws_services.push(s);
    }
    for s in ws_services {
        if s.websocket.is_none() {
            return Err(format!(
                "has {} that the model does not see as carrying WebSockets",
                s.describe()
            ));
        }
        if s.auto_stop.as_ref().map(|a| &a.value) != Some(&AutoStop::Off) {
            return Err(format!(
                "lets the proxy stop the Machines of {}",
                s.describe()
            ));
        }
        let c = s
            .concurrency
            .as_ref()
            .ok_or_else(|| format!("{} has no concurrency", s.describe()))?;
        if c.effective_type() != "connections" || c.hard().is_none_or(|h| h < 1000) {
            return Err(format!("{} is not sized for sockets", s.describe()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_names_from_directories() {
        assert_eq!(
            app_name_from_dir(Path::new("/home/me/My Chat_App")),
            "my-chat-app"
        );
        assert_eq!(app_name_from_dir(Path::new("/srv/--x--")), "x");
        assert_eq!(app_name_from_dir(Path::new("/")), "my-app");
        assert_eq!(app_name_from_dir(Path::new("/tmp/日本")), "my-app");
        let long = "a".repeat(100);
        assert_eq!(app_name_from_dir(Path::new(&long)).len(), 63);
    }

    #[test]
    fn refuses_bad_options() {
        let base = Options {
            app: "chat".into(),
            http_port: 8080,
            ws_port: None,
            region: None,
        };
        for bad in [
            Options {
                app: "Chat".into(),
                ..base.clone()
            },
            Options {
                app: "chat\"\n[x]".into(),
                ..base.clone()
            },
            Options {
                ws_port: Some(8080),
                ..base.clone()
            },
            Options {
                ws_port: Some(443),
                ..base.clone()
            },
            Options {
                region: Some("Amsterdam".into()),
                ..base.clone()
            },
        ] {
            assert!(generate(&bad).is_err(), "{bad:?}");
        }
        assert!(generate(&base).is_ok());
    }

    #[test]
    fn the_model_check_catches_a_service_it_does_not_see_as_websocket() {
        let o = Options {
            app: "chat".into(),
            http_port: 8080,
            ws_port: Some(8081),
            region: None,
        };
        let text = render(&o);
        assert!(check_model(&o, &text).is_ok());
        // Without the comments that say so, the [[services]] entry is not a WebSocket
        // service for the model, and its rules would not have judged it.
        let unmarked: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(check_model(&o, &unmarked).is_err());
    }
}
