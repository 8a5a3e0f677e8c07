//! wscfg's nginx verdicts and fixes, proven against the real nginx installed on this machine
//! with real WebSocket peers (see tests/e2e/): for every fixture in `CASES`,
//! - wscfg's verdict: the rule of the fixture's directory fires on `fires_*`, not on `quiet_*`;
//! - real nginx on the fixture does what the verdict claims (`Expect`): a WebSocket client
//!   through nginx to `uri` is refused, the backend never sees the upgrade, `nginx -t` fails,
//!   the idle connection is cut, or the request lands in another location; `quiet_*` fixtures
//!   really work: 101, echo, and an idle period longer than the short timeouts used here;
//! - for `fires_*`: the test applies wscfg's own fixes (the library, like
//!   `wscfg fix --unsafe-fixes`), checks the result equals the `.fixed` twin byte for byte,
//!   and real nginx on that result passes `nginx -t`, completes the handshake, echoes and
//!   survives the idle period.
//!
//! The suite needs nginx (`apt-get install nginx-light`), so its tests are ignored unless asked
//! for; asked for without nginx, they fail and say so. Run `cargo test --test nginx_e2e --
//! --include-ignored --nocapture` to see what nginx did per fixture.

mod common;
mod e2e;

use e2e::backend::{PlainBackend, Protocol, Seen, WsBackend, WsOptions};
use e2e::client::{self, Idle, Observed};
use e2e::nginx::{self, Backends, Main, Running};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;
use wscfg::config::Config;
use wscfg::engine::Session;
use wscfg::formats::Format;

const FIXTURES: &str = "fixtures/nginx";
/// The idle period a working connection must survive: longer than the 2 s timeouts the
/// timeout fixtures use (nginx's own default is 60 s, too long to wait for here).
const IDLE: Duration = Duration::from_secs(3);

/// Which part of the upgrade the WebSocket backend did not receive.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Missing {
    /// The request arrived as HTTP/1.0 (the backend answers 505).
    Http11,
    /// No `Upgrade: websocket` header (426).
    UpgradeHeader,
    /// `Upgrade: websocket` arrived, but `Connection` did not say `upgrade` (426).
    ConnectionUpgrade,
    /// Everything arrived, but the `Host` header does not match the browser's `Origin`, so a
    /// backend with gorilla/websocket's default origin check refuses (403).
    OriginHost,
}

/// What real nginx does with a fixture, as seen by a WebSocket client at the case's URI.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// 101 from the WebSocket backend, an echo, and the connection survives `IDLE` of silence.
    Works,
    /// nginx forwards the request, the WebSocket backend receives it without a valid upgrade
    /// and refuses; the client gets that refusal, not 101.
    BackendRefused(Missing),
    /// `nginx -t` rejects the file with a message containing this text.
    ConfigRejected(&'static str),
    /// 101 and an echo, then nginx closes the silent connection after about this many seconds,
    /// without a close frame (the browser reports 1006).
    ClosedWhenIdle { secs: u64 },
    /// The same breakage with a timeout too long to wait for in a test (the closing itself is
    /// proven by the fixtures with `ClosedWhenIdle`): only 101 and the echo are checked before
    /// the fix, the idle period after it.
    ClosedWhenIdleNotWaited { secs: u64 },
    /// The plain backend of another location answers (200, `X-Backend: plain`); the WebSocket
    /// backend never sees the request.
    OtherLocation,
    /// A plain request (the case's `plain_probe`) reaches a backend carrying
    /// `Connection: upgrade` without an `Upgrade` header. After the fix it must arrive without.
    PlainGetsConnectionUpgrade,
    /// No working WebSocket, and no frame of the client's reaches the backend: the module in
    /// front of it cannot tunnel (FastCGI relays the 101 and nothing follows; gRPC speaks
    /// HTTP/2 to the backend, so no HTTP/1.1 upgrade request ever arrives).
    NotTunnelled,
    /// The port gives an HTTP/1.1 client no valid HTTP response (it speaks HTTP/2 only) and
    /// the backend sees nothing.
    NoHttp1Response,
    /// With a foreign `Origin` (the case's), the handshake still succeeds: 101 and an echo.
    ForeignOriginAccepted,
    /// Two requests from one client to the case's `plain_probe` are answered by different
    /// backends. After the fix both must reach the same one.
    SpreadOverServers,
    /// nginx answers the handshake itself with this status (a redirect, or a file it looked
    /// up); the backend sees nothing.
    AnsweredByNginx(u16),
    /// Not run against nginx, for the reason given (only for `quiet_*` fixtures).
    NotRun(&'static str),
}

/// The `Origin` the WebSocket client sends.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Origin {
    None,
    /// This origin, as a page on another site would send it.
    Fixed(&'static str),
    /// The origin of a page served by nginx itself (`http://127.0.0.1:PORT`); the backend
    /// then checks it against Host like gorilla/websocket does.
    SameAsHost,
}

use Expect::*;
use Missing::*;

/// How a fixture becomes a runnable configuration.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    /// A complete nginx.conf (`events {}` + `http {}`).
    Main,
    /// A file for the `http` block (sites-available/, conf.d/): a minimal nginx.conf includes it.
    HttpFragment,
}

struct Case {
    /// Path under fixtures/nginx/.
    fixture: &'static str,
    /// Where the WebSocket client connects.
    uri: &'static str,
    shape: Shape,
    expect: Expect,
    /// An ordinary (non-WebSocket) URI that must reach the plain backend, before and after
    /// the fix: the fix must not take the other location's traffic.
    plain_uri: Option<&'static str>,
    /// An ordinary URI requested twice without upgrade, for the expectations that look at how
    /// plain requests are proxied (`PlainGetsConnectionUpgrade`, `SpreadOverServers`).
    plain_probe: Option<&'static str>,
    origin: Origin,
    /// How nginx reaches the WebSocket backend (`127.0.0.1:9000` in the fixture).
    protocol: Protocol,
}

const fn case(fixture: &'static str, uri: &'static str, expect: Expect) -> Case {
    Case {
        fixture,
        uri,
        shape: Shape::Main,
        expect,
        plain_uri: None,
        plain_probe: None,
        origin: Origin::None,
        protocol: Protocol::Http,
    }
}

const fn with_probe(c: Case, plain_probe: &'static str) -> Case {
    Case {
        plain_probe: Some(plain_probe),
        ..c
    }
}

const fn with_origin(c: Case, origin: Origin) -> Case {
    Case { origin, ..c }
}

const fn over(c: Case, protocol: Protocol) -> Case {
    Case { protocol, ..c }
}

const fn fragment(fixture: &'static str, uri: &'static str, expect: Expect) -> Case {
    Case {
        shape: Shape::HttpFragment,
        ..case(fixture, uri, expect)
    }
}

const fn with_plain(c: Case, plain_uri: &'static str) -> Case {
    Case {
        plain_uri: Some(plain_uri),
        ..c
    }
}

const fn not_run(fixture: &'static str, why: &'static str) -> Case {
    case(fixture, "", NotRun(why))
}

/// Where a configuration comes from and what to ask of it.
struct Target<'a> {
    /// The directory copied beside the main file (relative includes resolve there).
    root: PathBuf,
    /// The main file, relative to `root`.
    rel: PathBuf,
    shape: Shape,
    uri: &'a str,
    plain_uri: Option<&'a str>,
    plain_probe: Option<&'a str>,
    origin: Origin,
    protocol: Protocol,
}

impl Case {
    fn path(&self) -> PathBuf {
        Path::new(FIXTURES).join(self.fixture)
    }

    fn target(&self) -> Target<'_> {
        let root = Path::new(FIXTURES).join(self.fixture.split('/').next().unwrap());
        Target {
            rel: self.path().strip_prefix(&root).unwrap().to_owned(),
            root,
            shape: self.shape,
            uri: self.uri,
            plain_uri: self.plain_uri,
            plain_probe: self.plain_probe,
            origin: self.origin,
            protocol: self.protocol,
        }
    }
}

/// Every nginx fixture, with the URI it is about and what real nginx does with it.
/// `every_nginx_fixture_has_an_e2e_case` keeps this table complete.
const CASES: &[Case] = &[
    // NGX001 proxy-http-version: nginx talks HTTP/1.0 upstream; the backend refuses.
    case(
        "proxy_http_version/fires_version_unset.conf",
        "/ws/",
        BackendRefused(Http11),
    ),
    case(
        "proxy_http_version/fires_explicit_1_0.conf",
        "/socket.io/",
        BackendRefused(Http11),
    ),
    case(
        "proxy_http_version/fires_server_sets_1_0.conf",
        "/cable",
        BackendRefused(Http11),
    ),
    // The server-level idiom with one proxied `location /`: it inherits the headers.
    case(
        "proxy_http_version/fires_upgrade_inherited_from_server.conf",
        "/",
        BackendRefused(Http11),
    ),
    case("proxy_http_version/quiet_idiom.conf", "/ws/", Works),
    case(
        "proxy_http_version/quiet_version_inherited_from_http.conf",
        "/ws/",
        Works,
    ),
    // /ws/status under the WebSocket prefix is a plain page; the WebSocket at /ws/ works.
    case(
        "proxy_http_version/quiet_status_under_ws_prefix.conf",
        "/ws/",
        Works,
    ),
    // Templates: nginx reads them only once rendered, and the values wscfg leaves open are
    // the renderer's.
    not_run(
        "proxy_http_version/quiet_templated_version.conf.tmpl",
        "a Go template: the HTTP version is a value of the rendering",
    ),
    not_run(
        "upgrade_header_missing/quiet_template_fills_in_headers.conf.j2",
        "a Jinja2 template: a macro call renders the headers",
    ),
    not_run(
        "connection_header_missing/quiet_templated_value.conf.erb",
        "an ERB template: the Connection value is the manifest's",
    ),
    not_run(
        "read_timeout_short/quiet_templated_timeout.conf.j2",
        "a Jinja2 template: the timeout is the inventory's",
    ),
    not_run(
        "read_timeout_short/quiet_envsubst_timeout.conf.template",
        "an envsubst template: the timeout is the container's environment",
    ),
    not_run(
        "proxy_http_version/quiet_settings_in_unread_include.conf",
        "the included params file is not part of the fixture (nginx -t: open() failed)",
    ),
    not_run(
        "proxy_http_version/quiet_plain_http_location.conf",
        "plain API proxying: there is no WebSocket location to connect to",
    ),
    // NGX002 upgrade-header-missing: the backend never sees `Upgrade`.
    case(
        "upgrade_header_missing/fires_bare_proxy_pass.conf",
        "/ws/",
        BackendRefused(UpgradeHeader),
    ),
    case(
        "upgrade_header_missing/fires_connection_without_upgrade.conf",
        "/graphql-ws",
        BackendRefused(UpgradeHeader),
    ),
    case(
        "upgrade_header_missing/fires_server_headers_inherited.conf",
        "/ws/",
        BackendRefused(UpgradeHeader),
    ),
    // /ws/health and /ws/metrics are plain endpoints under /ws; the WebSocket at /ws works.
    case(
        "upgrade_header_missing/quiet_health_under_ws_prefix.conf",
        "/ws",
        Works,
    ),
    case(
        "upgrade_header_missing/quiet_inherited_from_server.conf",
        "/ws/",
        Works,
    ),
    // The server's snippets glob matches nothing here, and could not help: the location's own
    // headers replace the server's.
    case(
        "upgrade_header_missing/fires_unread_include_above_location_headers.conf",
        "/ws/",
        BackendRefused(UpgradeHeader),
    ),
    not_run(
        "upgrade_header_missing/quiet_headers_in_unread_server_include.conf",
        "the included snippet is not part of the fixture (nginx -t: open() failed)",
    ),
    not_run(
        "upgrade_header_missing/quiet_location_snippet.conf",
        "a snippet for a location defined elsewhere: no proxy_pass, nothing to connect to",
    ),
    // NGX003 connection-header-missing: `Upgrade` arrives, `Connection: upgrade` does not.
    case(
        "connection_header_missing/fires_connection_close.conf",
        "/ws/",
        BackendRefused(ConnectionUpgrade),
    ),
    case(
        "connection_header_missing/fires_no_connection_no_map.conf",
        "/websocket",
        BackendRefused(ConnectionUpgrade),
    ),
    fragment(
        "connection_header_missing/sites-available/fires_site_fragment.conf",
        "/hmr",
        BackendRefused(ConnectionUpgrade),
    ),
    case(
        "connection_header_missing/quiet_http_connection_passthrough.conf",
        "/ws/",
        Works,
    ),
    case(
        "connection_header_missing/quiet_literal_upgrade.conf",
        "/ws/",
        Works,
    ),
    not_run(
        "connection_header_missing/quiet_connection_in_unread_include.conf",
        "the included params file is not part of the fixture (nginx -t: open() failed)",
    ),
    not_run(
        "connection_header_missing/quiet_keepalive_cleared.conf",
        "`Connection \"\"` is NGX009's finding (proven there); here only NGX003's silence is checked",
    ),
    // NGX004 inherited-headers-dropped: one proxy_set_header in the location loses the
    // server's Upgrade and Connection.
    case(
        "inherited_headers_dropped/fires_host_in_location.conf",
        "/ws/",
        BackendRefused(UpgradeHeader),
    ),
    case(
        "inherited_headers_dropped/fires_parent_location_level.conf",
        "/app/ws/",
        BackendRefused(UpgradeHeader),
    ),
    not_run(
        "inherited_headers_dropped/quiet_location_headers_in_unread_include.conf",
        "the included snippet is not part of the fixture (nginx -t: open() failed)",
    ),
    case(
        "inherited_headers_dropped/quiet_headers_repeated.conf",
        "/ws/",
        Works,
    ),
    case(
        "inherited_headers_dropped/quiet_nested_location_inherits.conf",
        "/app/ws/",
        Works,
    ),
    // NGX005 connection-upgrade-map-undefined: nginx refuses the whole configuration.
    case(
        "connection_upgrade_map_undefined/fires_map_missing.conf",
        "/ws/",
        ConfigRejected("unknown \"connection_upgrade\" variable"),
    ),
    case(
        "connection_upgrade_map_undefined/fires_custom_variable_name.conf",
        "/subscriptions",
        ConfigRejected("unknown \"conn_upgrade\" variable"),
    ),
    case(
        "connection_upgrade_map_undefined/quiet_map_in_include.conf",
        "/ws/",
        Works,
    ),
    not_run(
        "connection_upgrade_map_undefined/conf.d/quiet_fragment_map_elsewhere.conf",
        "a conf.d fragment whose map lives in an nginx.conf that is not part of the fixture",
    ),
    // NGX006 read-timeout-short: nginx cuts the silent connection.
    case(
        "read_timeout_short/fires_short_read_timeout.conf",
        "/ws/",
        ClosedWhenIdle { secs: 2 },
    ),
    with_plain(
        case(
            "read_timeout_short/fires_fail_fast_server_timeouts.conf",
            "/notifications",
            ClosedWhenIdle { secs: 2 },
        ),
        "/api/orders",
    ),
    case(
        "read_timeout_short/fires_default_timeouts.conf",
        "/ws/",
        ClosedWhenIdleNotWaited { secs: 60 },
    ),
    case(
        "read_timeout_short/fires_short_at_server_level.conf",
        "/events",
        ClosedWhenIdleNotWaited { secs: 30 },
    ),
    // Action Cable beats every 3 s, Mattermost pings every 60 s: the echo backend here sends
    // nothing, so these rows show only that the handshake works (quiet) or that nginx closes a
    // silent socket (fires); tests/e2e_pings.rs runs real pinging servers.
    case(
        "read_timeout_short/quiet_action_cable_heartbeat.conf",
        "/cable",
        Works,
    ),
    case(
        "read_timeout_short/fires_mattermost_pings_every_minute.conf",
        "/api/v4/websocket",
        ClosedWhenIdleNotWaited { secs: 60 },
    ),
    case(
        "read_timeout_short/fires_short_timeout_below_unread_include.conf",
        "/ws/",
        ClosedWhenIdle { secs: 2 },
    ),
    not_run(
        "read_timeout_short/quiet_timeout_in_unread_include.conf",
        "the included timeouts file is not part of the fixture (nginx -t: open() failed)",
    ),
    case(
        "read_timeout_short/fires_default_timeout_unread_server_snippets.conf",
        "/ws/",
        ClosedWhenIdleNotWaited { secs: 60 },
    ),
    case(
        "read_timeout_short/fires_upgrade_inherited_from_server.conf",
        "/",
        ClosedWhenIdleNotWaited { secs: 60 },
    ),
    with_plain(
        case(
            "read_timeout_short/quiet_shared_headers_with_ws_location.conf",
            "/ws/",
            Works,
        ),
        "/api/items",
    ),
    case("read_timeout_short/quiet_long_timeouts.conf", "/ws/", Works),
    case(
        "read_timeout_short/quiet_short_send_timeout.conf",
        "/ws/",
        Works,
    ),
    case(
        "read_timeout_short/quiet_socketio_heartbeat.conf",
        "/socket.io/",
        Works,
    ),
    // NGX007 websocket-location-shadowed: another location takes the request.
    with_plain(
        case(
            "websocket_location_shadowed/fires_caret_tilde_prefix.conf",
            "/api/ws/",
            OtherLocation,
        ),
        "/api/users",
    ),
    with_plain(
        case(
            "websocket_location_shadowed/fires_earlier_regex.conf",
            "/api/ws/",
            OtherLocation,
        ),
        "/api/users",
    ),
    with_plain(
        case(
            "websocket_location_shadowed/fires_regex_beats_prefix.conf",
            "/api/ws/",
            OtherLocation,
        ),
        "/api/users",
    ),
    // Compact layouts: the move fix moves the block's bytes.
    with_plain(
        case(
            "websocket_location_shadowed/fires_compact_layout.conf",
            "/api/ws/",
            OtherLocation,
        ),
        "/api/users",
    ),
    with_plain(
        case(
            "websocket_location_shadowed/fires_one_line_server.conf",
            "/api/ws/",
            OtherLocation,
        ),
        "/api/users",
    ),
    with_plain(
        case(
            "websocket_location_shadowed/quiet_inherited_upgrade_exact_root.conf",
            "/ws",
            Works,
        ),
        "/",
    ),
    with_plain(
        case(
            "websocket_location_shadowed/quiet_prefix_order.conf",
            "/api/ws/",
            Works,
        ),
        "/api/users",
    ),
    with_plain(
        case(
            "websocket_location_shadowed/quiet_regex_nested_in_prefix.conf",
            "/ws/",
            Works,
        ),
        "/index.html",
    ),
    // NGX008 connection-upgrade-hardcoded: ordinary requests are sent `Connection: upgrade`.
    with_probe(
        case(
            "connection_upgrade_hardcoded/fires_node_app_catch_all.conf",
            "/",
            PlainGetsConnectionUpgrade,
        ),
        "/api/items",
    ),
    with_probe(
        case(
            "connection_upgrade_hardcoded/fires_socketio_polling.conf",
            "/socket.io/",
            PlainGetsConnectionUpgrade,
        ),
        "/socket.io/?EIO=4&transport=polling",
    ),
    with_probe(
        case(
            "connection_upgrade_hardcoded/fires_server_level_keepalive.conf",
            "/ws/",
            PlainGetsConnectionUpgrade,
        ),
        "/api/status",
    ),
    // `Connection "upgrade"` then `Connection ""`: nginx skips the empty value, so plain
    // requests still carry `Connection: upgrade` (and the handshake passes).
    with_probe(
        case(
            "connection_upgrade_hardcoded/fires_connection_cleared_after_upgrade.conf",
            "/ws/",
            PlainGetsConnectionUpgrade,
        ),
        "/api/items",
    ),
    // Prosody's /xmpp-websocket (and Jitsi's /colibri-ws/) with the literal: it works.
    case(
        "connection_upgrade_hardcoded/quiet_jitsi_websocket_endpoints.conf",
        "/xmpp-websocket",
        Works,
    ),
    with_plain(
        case(
            "connection_upgrade_hardcoded/quiet_dedicated_ws_location.conf",
            "/ws/",
            Works,
        ),
        "/",
    ),
    case(
        "connection_upgrade_hardcoded/quiet_map_variable.conf",
        "/",
        Works,
    ),
    // NGX009 keepalive-connection-cleared: `Connection ""` reaches the backend as no
    // Connection header at all.
    case(
        "keepalive_connection_cleared/fires_keepalive_idiom.conf",
        "/ws/",
        BackendRefused(ConnectionUpgrade),
    ),
    case(
        "keepalive_connection_cleared/fires_cleared_at_server_level.conf",
        "/socket.io/",
        BackendRefused(ConnectionUpgrade),
    ),
    // The empty value below the literal is skipped: the upgrade passes.
    case(
        "keepalive_connection_cleared/quiet_empty_after_upgrade.conf",
        "/ws/",
        Works,
    ),
    case(
        "keepalive_connection_cleared/quiet_keepalive_map.conf",
        "/ws/",
        Works,
    ),
    with_plain(
        case(
            "keepalive_connection_cleared/quiet_plain_api_keepalive.conf",
            "/ws/",
            Works,
        ),
        "/api/items",
    ),
    // NGX010 upgrade-needs-proxy-pass: FastCGI relays the 101 and nothing follows; gRPC
    // speaks HTTP/2 to the backend. uwsgi_pass tunnels.
    over(
        case(
            "upgrade_needs_proxy_pass/fires_php_fpm_websocket.conf",
            "/ws/",
            NotTunnelled,
        ),
        Protocol::FastCgi,
    ),
    case(
        "upgrade_needs_proxy_pass/fires_grpc_backend_websocket.conf",
        "/websocket",
        NotTunnelled,
    ),
    over(
        case(
            "upgrade_needs_proxy_pass/quiet_uwsgi_websocket.conf",
            "/ws/",
            Works,
        ),
        Protocol::Uwsgi,
    ),
    case(
        "upgrade_needs_proxy_pass/quiet_php_and_proxied_ws.conf",
        "/ws/",
        Works,
    ),
    // No proxy_pass: nginx looks for the file /var/www/app/dist/ws.
    case(
        "upgrade_needs_proxy_pass/fires_proxy_pass_commented_out.conf",
        "/ws",
        AnsweredByNginx(404),
    ),
    case(
        "upgrade_needs_proxy_pass/quiet_try_files_to_named_location.conf",
        "/ws",
        Works,
    ),
    // NGX011 http2-cleartext-listen: the port speaks HTTP/2 only.
    case(
        "http2_cleartext_listen/fires_listen_http2_no_ssl.conf",
        "/ws/",
        NoHttp1Response,
    ),
    case(
        "http2_cleartext_listen/fires_http2_from_default_server.conf",
        "/socket.io/",
        NoHttp1Response,
    ),
    not_run(
        "http2_cleartext_listen/quiet_http2_over_tls.conf",
        "needs TLS certificates; the plain-text side only redirects",
    ),
    not_run(
        "http2_cleartext_listen/quiet_http2_directive_new_nginx.conf",
        "`http2 on;` needs nginx 1.25.1 or later (nginx -t here: unknown directive)",
    ),
    // NGX012 cors-headers-on-websocket: a foreign Origin connects despite the CORS headers.
    with_origin(
        case(
            "cors_headers_on_websocket/fires_cors_on_ws_location.conf",
            "/ws/",
            ForeignOriginAccepted,
        ),
        Origin::Fixed("https://evil.example.net"),
    ),
    with_origin(
        case(
            "cors_headers_on_websocket/fires_cors_inherited_from_server.conf",
            "/cable",
            ForeignOriginAccepted,
        ),
        Origin::Fixed("https://evil.example.net"),
    ),
    with_origin(
        case(
            "cors_headers_on_websocket/quiet_origin_checked.conf",
            "/ws/",
            Works,
        ),
        Origin::Fixed("https://app.example.com"),
    ),
    case(
        "cors_headers_on_websocket/quiet_socketio_polling_cors.conf",
        "/socket.io/",
        Works,
    ),
    // NGX013 socketio-upstream-not-sticky: one client's polling requests land on both
    // servers (here the WebSocket and the plain backend).
    with_probe(
        case(
            "socketio_upstream_not_sticky/fires_two_nodes_round_robin.conf",
            "/socket.io/",
            SpreadOverServers,
        ),
        "/socket.io/?EIO=4&transport=polling",
    ),
    with_probe(
        case(
            "socketio_upstream_not_sticky/fires_least_conn.conf",
            "/socket.io/",
            SpreadOverServers,
        ),
        "/socket.io/?EIO=4&transport=polling",
    ),
    with_probe(
        case(
            "socketio_upstream_not_sticky/fires_backup_server.conf",
            "/socket.io/",
            SpreadOverServers,
        ),
        "/socket.io/?EIO=4&transport=polling",
    ),
    case(
        "socketio_upstream_not_sticky/quiet_ip_hash.conf",
        "/socket.io/",
        Works,
    ),
    case(
        "socketio_upstream_not_sticky/quiet_one_primary_and_backup.conf",
        "/socket.io/",
        Works,
    ),
    // NGX014 websocket-bypassed-by-redirect: nginx answers the handshake with a redirect.
    case(
        "websocket_bypassed_by_redirect/fires_https_redirect_server.conf",
        "/ws/",
        AnsweredByNginx(301),
    ),
    case(
        "websocket_bypassed_by_redirect/fires_scheme_check_behind_tls_proxy.conf",
        "/socket.io/",
        AnsweredByNginx(301),
    ),
    case(
        "websocket_bypassed_by_redirect/fires_rewrite_permanent.conf",
        "/cable",
        AnsweredByNginx(301),
    ),
    case(
        "websocket_bypassed_by_redirect/quiet_redirect_in_its_own_server.conf",
        "/ws/",
        Works,
    ),
    case(
        "websocket_bypassed_by_redirect/quiet_forwarded_proto_redirect.conf",
        "/ws/",
        Works,
    ),
    case(
        "websocket_bypassed_by_redirect/quiet_rewrite_break_in_location.conf",
        "/ws/",
        Works,
    ),
    // NGX015 missing-host-header: the backend checks Origin against Host, like gorilla.
    with_origin(
        case(
            "missing_host_header/fires_named_upstream.conf",
            "/ws/",
            BackendRefused(OriginHost),
        ),
        Origin::SameAsHost,
    ),
    with_origin(
        case(
            "missing_host_header/fires_host_dropped_by_location_headers.conf",
            "/live",
            BackendRefused(OriginHost),
        ),
        Origin::SameAsHost,
    ),
    with_origin(
        case(
            "missing_host_header/quiet_host_forwarded.conf",
            "/ws/",
            Works,
        ),
        Origin::SameAsHost,
    ),
    with_origin(
        case(
            "missing_host_header/quiet_host_inherited_from_server.conf",
            "/ws/",
            Works,
        ),
        Origin::SameAsHost,
    ),
];

// One test per rule; the fixtures of a rule run concurrently, each against its own nginx.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
async fn ngx001_proxy_http_version() {
    run_rule("proxy_http_version").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
async fn ngx002_upgrade_header_missing() {
    run_rule("upgrade_header_missing").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
async fn ngx003_connection_header_missing() {
    run_rule("connection_header_missing").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
async fn ngx004_inherited_headers_dropped() {
    run_rule("inherited_headers_dropped").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
async fn ngx005_connection_upgrade_map_undefined() {
    run_rule("connection_upgrade_map_undefined").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
async fn ngx006_read_timeout_short() {
    run_rule("read_timeout_short").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
async fn ngx007_websocket_location_shadowed() {
    run_rule("websocket_location_shadowed").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
async fn ngx008_connection_upgrade_hardcoded() {
    run_rule("connection_upgrade_hardcoded").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
async fn ngx009_keepalive_connection_cleared() {
    run_rule("keepalive_connection_cleared").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
async fn ngx010_upgrade_needs_proxy_pass() {
    run_rule("upgrade_needs_proxy_pass").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
async fn ngx011_http2_cleartext_listen() {
    run_rule("http2_cleartext_listen").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
async fn ngx012_cors_headers_on_websocket() {
    run_rule("cors_headers_on_websocket").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
async fn ngx013_socketio_upstream_not_sticky() {
    run_rule("socketio_upstream_not_sticky").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
async fn ngx014_websocket_bypassed_by_redirect() {
    run_rule("websocket_bypassed_by_redirect").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
async fn ngx015_missing_host_header() {
    run_rule("missing_host_header").await;
}

/// Every fires_/quiet_ file under fixtures/nginx has exactly one row in `CASES`, every row
/// names an existing file of the right shape, and every rule has at least one breakage that
/// real nginx shows and a fix that is run.
#[test]
fn every_nginx_fixture_has_an_e2e_case() {
    let on_disk: BTreeSet<String> = common::files_under(Path::new(FIXTURES))
        .into_iter()
        .map(|p| rel(&p))
        .filter(|r| {
            let name = r.rsplit('/').next().unwrap();
            (name.starts_with("fires_") || name.starts_with("quiet_"))
                && !name.contains(".fixed.")
                && is_nginx_rule_dir(r.split('/').next().unwrap())
        })
        .collect();
    let mut in_table = BTreeSet::new();
    let mut problems = Vec::new();
    for c in CASES {
        if !in_table.insert(c.fixture.to_owned()) {
            problems.push(format!("{}: listed twice", c.fixture));
        }
        let Ok(text) = std::fs::read_to_string(Path::new(FIXTURES).join(c.fixture)) else {
            problems.push(format!("{}: no such fixture", c.fixture));
            continue;
        };
        let complete = text.lines().any(|l| l.trim_start().starts_with("events"));
        let fires = file_name(c.fixture).starts_with("fires_");
        match (c.expect, c.shape) {
            (NotRun(_), _) if fires => problems.push(format!(
                "{}: a fires_ fixture must be run, so that its fix is proven",
                c.fixture
            )),
            (NotRun(_), _) => {}
            (_, Shape::Main) if !complete => problems.push(format!(
                "{}: not a complete nginx.conf (no events block); use fragment() or not_run()",
                c.fixture
            )),
            (_, Shape::HttpFragment) if complete => problems.push(format!(
                "{}: complete config listed as a fragment",
                c.fixture
            )),
            _ => {}
        }
        if !fires && !matches!(c.expect, Works | NotRun(_)) {
            problems.push(format!("{}: a quiet_ fixture must work", c.fixture));
        }
        if fires && c.expect == Works {
            problems.push(format!(
                "{}: a fires_ fixture must show a breakage",
                c.fixture
            ));
        }
    }
    for missing in on_disk.difference(&in_table) {
        problems.push(format!(
            "{missing}: no row in CASES (tests/nginx_e2e.rs): say which URI it is about and what real nginx does"
        ));
    }
    for rule_dir in std::fs::read_dir(FIXTURES).unwrap() {
        let dir = rule_dir.unwrap().file_name().into_string().unwrap();
        if !is_nginx_rule_dir(&dir) {
            continue;
        }
        let proven = CASES.iter().any(|c| {
            c.fixture.starts_with(&format!("{dir}/"))
                && file_name(c.fixture).starts_with("fires_")
                && !matches!(c.expect, Works | NotRun(_) | ClosedWhenIdleNotWaited { .. })
        });
        if !proven {
            problems.push(format!(
                "{dir}: no fires_ fixture whose breakage real nginx shows within the test"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Fixture directories of nginx rules (NGX…); the engine's suppression rules (WSC…) keep
/// fixtures beside them but claim nothing about nginx.
fn is_nginx_rule_dir(dir: &str) -> bool {
    wscfg::rules::find(&dir.replace('_', "-")).is_some_and(|m| m.code.starts_with("NGX"))
}

/// Two facts about nginx 1.22 that the fixtures alone do not show, measured here so the rule
/// texts can rely on them (the verdicts wscfg gives today are printed, not asserted).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
async fn nginx_facts_behind_the_rules() {
    nginx::binary();
    // NGX001: nginx sends the upgrade over HTTP/1.0 and tunnels whatever answers 101. The
    // breakage comes from the backend: RFC 6455 servers refuse HTTP/1.0 (this echo server,
    // Python websockets: 505), a backend that ignores the version (Node's ws) completes it.
    let http10 = CASES
        .iter()
        .find(|c| c.fixture == "proxy_http_version/fires_version_unset.conf")
        .unwrap();
    let lenient = WsOptions {
        any_http_version: true,
        ..WsOptions::default()
    };
    let http10_target = http10.target();
    let http10_text = std::fs::read_to_string(http10.path()).unwrap();
    // (NGX006's counterpart, a short proxy_send_timeout alone keeping the socket, is the
    // fixture read_timeout_short/quiet_short_send_timeout.conf.)
    let a = observe(&http10_target, &http10_text, Works, lenient).await;
    println!(
        "{} with a backend that accepts HTTP/1.0: {}",
        http10.fixture,
        a.summary()
    );
    let mut failures = Vec::new();
    if let Err(e) = a.check(&http10_target, Works) {
        failures.push(format!("HTTP/1.0 upstream, lenient backend: {e}"));
    }
    if a.ws_seen.first().map(|s| s.version.as_str()) != Some("HTTP/1.0") {
        failures.push("the lenient backend should have received HTTP/1.0".to_owned());
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

/// NGX009's repair, measured: with `upstream … { keepalive 8; }`, a Connection map whose empty
/// case is `''` keeps one upstream connection for ordinary requests and still carries the
/// upgrade; the usual `'' close` carries the upgrade but costs a connection per request, and
/// `Connection ""` alone keeps the connection but loses the upgrade.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
async fn keepalive_map_keeps_upstream_connections_and_the_upgrade() {
    nginx::binary();
    let conf = |connection: &str, map: &str| {
        format!(
            "events {{}}\nhttp {{\n    {map}\n    upstream app {{\n        server 127.0.0.1:9000;\n        \
             keepalive 8;\n    }}\n    server {{\n        listen 8080;\n        location / {{\n            \
             proxy_pass http://app;\n            proxy_http_version 1.1;\n            \
             proxy_set_header Upgrade $http_upgrade;\n            \
             proxy_set_header Connection {connection};\n        }}\n    }}\n}}\n"
        )
    };
    // (name, config, connections for 3 plain requests, WebSocket works)
    let cases = [
        (
            "map '' ''",
            conf(
                "$connection_upgrade_keepalive",
                "map $http_upgrade $connection_upgrade_keepalive { default upgrade; '' ''; }",
            ),
            1,
            true,
        ),
        (
            "map '' close",
            conf(
                "$connection_upgrade",
                "map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
            ),
            3,
            true,
        ),
        ("Connection \"\"", conf("\"\"", ""), 1, false),
    ];
    let root = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (name, text, want_connections, want_ws) in cases {
        let ws = WsBackend::start(WsOptions {
            keep_alive: true,
            ..WsOptions::default()
        })
        .await;
        let plain = PlainBackend::start().await;
        let backends = Backends {
            ws: ws.port,
            plain: plain.port,
        };
        let rel = Path::new("nginx.conf");
        let rendered =
            nginx::render(root.path(), Main::File { rel, text: &text }, backends).expect("renders");
        if let Err(e) = tokio::task::block_in_place(|| nginx::test_config(&rendered)) {
            failures.push(format!("{name}: nginx -t: {e}"));
            continue;
        }
        let running = Running::start(&rendered).await.expect("nginx starts");
        let mut answers = Vec::new();
        for _ in 0..3 {
            answers.push(client::plain_get(running.port, "/api/items").await);
        }
        let connections = ws.connections();
        let observed = client::probe(running.port, "/ws/", None).await;
        tokio::task::block_in_place(|| drop(running));
        println!(
            "{name}: plain answers {answers:?}, upstream connections for 3 requests: {connections}, WebSocket: {}",
            observed.summary()
        );
        if answers.iter().any(|a| !matches!(a, Ok((200, _)))) {
            failures.push(format!("{name}: plain requests failed: {answers:?}"));
        }
        if connections != want_connections {
            failures.push(format!(
                "{name}: {connections} upstream connections for 3 requests, expected {want_connections}"
            ));
        }
        let works = observed.status == Some(101) && observed.echo;
        if works != want_ws {
            failures.push(format!(
                "{name}: WebSocket {}: {}",
                if want_ws {
                    "should work"
                } else {
                    "should fail"
                },
                observed.summary()
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// The nginx corpus: vendored at tests/corpus/nginx, or beside the repository.
fn corpus_root() -> PathBuf {
    ["tests/corpus/nginx", "../shared/corpus/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_dir())
        .expect("no nginx corpus: expected tests/corpus/nginx or ../shared/corpus/nginx")
}

/// `wscfg check` on every corpus file: no crash, no internal error, a JSON report. Complete
/// configurations (with `events`) that real nginx accepts after the templating must get no
/// NGX000, and stay accepted after `wscfg fix` and `wscfg fix --unsafe-fixes`.
#[test]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
fn corpus_check_never_crashes_and_fixes_stay_valid_for_nginx() {
    nginx::binary();
    let root = corpus_root();
    let complete = regex::Regex::new(r#"(?m)^\s*"?events"?\s*\{"#).unwrap();
    let files: Vec<PathBuf> = common::files_under(&root)
        .into_iter()
        .filter(|p| p.extension().is_none_or(|e| e != "md"))
        .collect();
    assert!(files.len() > 100, "corpus has only {} files", files.len());
    let mut failures = Vec::new();
    let (mut accepted, mut rejected, mut changed) = (Vec::new(), Vec::new(), 0);
    for path in &files {
        let shown = path.strip_prefix(&root).unwrap().display().to_string();
        let mut out = wscfg_check(path, false);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() == Some(2) && stderr.contains("not a file format wscfg knows") {
            // A fragment wscfg does not recognise by itself: say it is nginx, as a user would.
            out = wscfg_check(path, true);
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !matches!(out.status.code(), Some(0 | 1)) || stderr.contains("panicked") {
            failures.push(format!(
                "{shown}: wscfg check exited {:?}: {stderr}",
                out.status
            ));
            continue;
        }
        let Ok(report) = serde_json::from_slice::<serde_json::Value>(&out.stdout) else {
            failures.push(format!("{shown}: wscfg check printed no JSON report"));
            continue;
        };
        let syntax_error = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "NGX000");

        // Real nginx, for complete configurations only (fragments need their nginx.conf).
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        if !complete.is_match(&text) {
            continue;
        }
        let dir = path.parent().unwrap();
        let rel = Path::new(path.file_name().unwrap());
        let nginx_t = |text: &str| {
            let backends = Backends {
                ws: nginx::free_port(),
                plain: nginx::free_port(),
            };
            nginx::render(dir, Main::File { rel, text }, backends)
                .and_then(|r| nginx::test_config(&r))
        };
        match nginx_t(&text) {
            Ok(_) => {
                if syntax_error {
                    failures.push(format!(
                        "{shown}: wscfg reports NGX000, but nginx -t accepts the file"
                    ));
                }
                for unsafe_fixes in [false, true] {
                    let fixed = fix_file(path, unsafe_fixes);
                    if fixed == text {
                        continue;
                    }
                    changed += 1;
                    if let Err(e) = nginx_t(&fixed) {
                        failures.push(format!(
                            "{shown}: nginx -t accepts the file but rejects `wscfg fix{}` output: {e}",
                            if unsafe_fixes { " --unsafe-fixes" } else { "" }
                        ));
                    }
                }
                accepted.push(shown);
            }
            Err(e) => {
                let why = e
                    .lines()
                    .find(|l| l.contains("[emerg]") || l.contains("cannot parse"))
                    .unwrap_or(&e)
                    .to_owned();
                let ngx000 = if syntax_error { "NGX000" } else { "no NGX000" };
                rejected.push(format!("{shown} ({ngx000}): {why}"));
            }
        }
    }
    println!(
        "{} corpus files checked; nginx -t accepts {} complete configurations ({}), {} fixes changed one",
        files.len(),
        accepted.len(),
        accepted.join(", "),
        changed
    );
    for r in &rejected {
        println!("  not accepted by nginx here: {r}");
    }
    assert!(
        !accepted.is_empty(),
        "no corpus configuration passed nginx -t: the templating is broken"
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------

/// What happened to one fixture, for the summary and the failure message.
struct Report {
    fixture: &'static str,
    code: &'static str,
    before: String,
    pings: Option<String>,
    after: Option<String>,
    failures: Vec<String>,
}

impl Report {
    fn check(&mut self, what: &str, result: Result<(), String>) {
        if let Err(e) = result {
            self.failures
                .push(format!("{} ({what}): {e}", self.fixture));
        }
    }
}

async fn run_rule(dir: &str) {
    nginx::binary(); // fails with installation advice when nginx is missing
    let cases: Vec<&Case> = CASES
        .iter()
        .filter(|c| c.fixture.starts_with(&format!("{dir}/")))
        .collect();
    assert!(!cases.is_empty(), "no e2e cases for {dir}");
    let reports = futures_util::future::join_all(cases.into_iter().map(run_case)).await;
    let mut failures = Vec::new();
    for r in &reports {
        println!("{} {}", r.code, r.fixture);
        println!("    before: {}", r.before);
        if let Some(p) = &r.pings {
            println!("    before, backend pinging: {p}");
        }
        if let Some(a) = &r.after {
            println!("    after fix: {a}");
        }
        failures.extend(r.failures.iter().cloned());
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

async fn run_case(case: &Case) -> Report {
    let path = case.path();
    let target = case.target();
    let text = std::fs::read_to_string(&path).unwrap();
    let dir = case.fixture.split('/').next().unwrap();
    let rule = wscfg::rules::find(&dir.replace('_', "-")).expect("directory names a rule");
    let fires = file_name(case.fixture).starts_with("fires_");
    let mut report = Report {
        fixture: case.fixture,
        code: rule.code,
        before: String::new(),
        pings: None,
        after: None,
        failures: Vec::new(),
    };

    // wscfg's verdict on the fixture.
    let codes = lint_codes(&path, &text);
    if fires != codes.contains(rule.code) {
        report.failures.push(format!(
            "{}: wscfg {} {} (it reports {codes:?})",
            case.fixture,
            if fires { "does not report" } else { "reports" },
            rule.code
        ));
    }
    if let NotRun(why) = case.expect {
        report.before = format!("not run: {why}");
        return report;
    }

    // The fix wscfg ships, applied here, must be the .fixed twin. A rule without a fix for
    // the fixture has no twin, and then wscfg must change nothing.
    let twin = fixed_twin(&path);
    let fixed = (fires && twin.exists()).then(|| {
        let fixed = fix_like_wscfg(&path, &text);
        match std::fs::read_to_string(&twin) {
            Ok(expected) if expected == fixed => {}
            Ok(_) => report.failures.push(format!(
                "{}: `wscfg fix --unsafe-fixes` output differs from {}",
                case.fixture,
                twin.display()
            )),
            Err(e) => report
                .failures
                .push(format!("{}: {}: {e}", case.fixture, twin.display())),
        }
        let left = lint_codes(&path, &fixed);
        if !left.is_empty() {
            report.failures.push(format!(
                "{}: the fixed file still gets {left:?}",
                case.fixture
            ));
        }
        fixed
    });

    if fires && !twin.exists() && fix_like_wscfg(&path, &text) != text {
        report.failures.push(format!(
            "{}: wscfg fixes it, but there is no {}",
            case.fixture,
            twin.display()
        ));
    }

    // Real nginx: the fixture, the fixture with a backend heartbeat (timeout cases), and
    // the fixed file, all at once.
    let heartbeat = match case.expect {
        ClosedWhenIdle { secs } => Some(Duration::from_millis(secs * 1000 / 2)),
        _ => None,
    };
    let (before, pings, after) = tokio::join!(
        observe(&target, &text, case.expect, WsOptions::default()),
        async {
            match heartbeat {
                Some(every) => {
                    let pinging = WsOptions {
                        ping_every: Some(every),
                        ..WsOptions::default()
                    };
                    Some(observe(&target, &text, Works, pinging).await)
                }
                None => None,
            }
        },
        async {
            match &fixed {
                Some(f) => Some(observe(&target, f, Works, WsOptions::default()).await),
                None => None,
            }
        },
    );
    report.before = before.summary();
    report.check("before the fix", before.check(&target, case.expect));
    if let Some(p) = pings {
        report.pings = Some(p.summary());
        report.check(
            "before the fix, backend sending pings",
            p.check(&target, Works),
        );
    }
    if let Some(a) = after {
        report.after = Some(a.summary());
        report.check("after `wscfg fix --unsafe-fixes`", a.check(&target, Works));
        report.check(
            "after `wscfg fix --unsafe-fixes`, plain requests",
            a.check_fixed_plain_requests(&target, case.expect),
        );
    }
    report
}

/// One run of real nginx on one configuration text.
struct Run {
    nginx_t: Result<String, String>,
    start_error: Option<String>,
    observed: Option<Observed>,
    ws_seen: Vec<Seen>,
    plain_seen: Vec<Seen>,
    plain_get: Option<Result<(u16, Option<String>), String>>,
    /// The answers to the two requests of the case's `plain_probe`.
    probes: Vec<Result<(u16, Option<String>), String>>,
    /// Bytes that reached a FastCGI backend after its 101, per handshake.
    tunnelled: Vec<usize>,
    /// The rendered main file, shown when something does not match.
    config: String,
    /// Set when nginx's processes outlived the stop.
    leftover: Option<String>,
}

/// Renders `text` as the target's main file, checks it with `nginx -t`, starts nginx, and
/// connects a WebSocket client to the target's URI (idling as long as `expect` needs).
async fn observe(target: &Target<'_>, text: &str, expect: Expect, ws: WsOptions) -> Run {
    let ws = WsOptions {
        protocol: target.protocol,
        check_origin: target.origin == Origin::SameAsHost,
        ..ws
    };
    let ws_backend = WsBackend::start(ws).await;
    let plain_backend = PlainBackend::start().await;
    let backends = Backends {
        ws: ws_backend.port,
        plain: plain_backend.port,
    };
    let idle = match expect {
        Works => Some(IDLE),
        ClosedWhenIdle { secs } => Some(Duration::from_secs(secs + 3)),
        _ => None,
    };
    let mut run = Run {
        nginx_t: Err(String::new()),
        start_error: None,
        observed: None,
        ws_seen: Vec::new(),
        plain_seen: Vec::new(),
        plain_get: None,
        probes: Vec::new(),
        tunnelled: Vec::new(),
        config: String::new(),
        leftover: None,
    };
    // A port picked as free can be taken by someone else before nginx binds it: retry.
    for _attempt in 0..3 {
        let rel = target.rel.as_path();
        let main = match target.shape {
            Shape::Main => Main::File { rel, text },
            Shape::HttpFragment => Main::HttpFragment { rel, text },
        };
        let rendered = match nginx::render(&target.root, main, backends) {
            Ok(r) => r,
            Err(e) => {
                run.start_error = Some(e);
                return run;
            }
        };
        run.config = rendered.main_text();
        run.nginx_t = tokio::task::block_in_place(|| nginx::test_config(&rendered));
        if run.nginx_t.is_err() {
            return run;
        }
        let running = match Running::start(&rendered).await {
            Ok(r) => r,
            Err(e) if e.contains("Address already in use") => {
                run.start_error = Some(e);
                continue;
            }
            Err(e) => {
                run.start_error = Some(e);
                return run;
            }
        };
        run.start_error = None;
        let pid = running.pid();
        let origin = match target.origin {
            Origin::None => None,
            Origin::Fixed(o) => Some(o.to_owned()),
            Origin::SameAsHost => Some(format!("http://127.0.0.1:{}", running.port)),
        };
        run.observed = Some(
            client::probe_with_origin(running.port, target.uri, idle, origin.as_deref()).await,
        );
        if let Some(uri) = target.plain_uri {
            run.plain_get = Some(client::plain_get(running.port, uri).await);
        }
        if let Some(uri) = target.plain_probe {
            for _ in 0..2 {
                run.probes.push(client::plain_get(running.port, uri).await);
            }
        }
        tokio::task::block_in_place(|| drop(running));
        if nginx::group_alive(pid) {
            run.leftover = Some(format!(
                "nginx (process group {pid}) still runs after the stop"
            ));
        }
        break;
    }
    run.ws_seen = ws_backend.seen();
    run.plain_seen = plain_backend.seen();
    run.tunnelled = ws_backend.tunnelled();
    run
}

impl Run {
    /// `505 (from ws-echo) · backend saw GET /ws/ HTTP/1.0 | Upgrade: ...` and the like.
    fn summary(&self) -> String {
        if let Err(e) = &self.nginx_t {
            let emerg = e
                .lines()
                .find(|l| l.contains("[emerg]"))
                .unwrap_or("nginx -t failed");
            return format!("nginx -t rejects it: {}", emerg.trim());
        }
        if let Some(e) = &self.start_error {
            return format!("nginx did not start: {e}");
        }
        let mut s = self
            .observed
            .as_ref()
            .map_or("no client run".to_owned(), Observed::summary);
        match self.ws_seen.last() {
            Some(seen) => s.push_str(&format!("; WebSocket backend saw {}", seen.summary())),
            None => s.push_str("; WebSocket backend saw nothing"),
        }
        if let Some(p) = &self.plain_get {
            s.push_str(&format!("; plain GET of the other location: {p:?}"));
        }
        if !self.probes.is_empty() {
            s.push_str(&format!("; plain requests answered: {:?}", self.probes));
        }
        if let Some(seen) = self.probe_seen() {
            s.push_str(&format!("; a plain request arrived as {}", seen.summary()));
        }
        s
    }

    /// The first plain (non-upgrade) request either backend received.
    fn probe_seen(&self) -> Option<&Seen> {
        self.ws_seen
            .iter()
            .chain(&self.plain_seen)
            .find(|s| !s.has_upgrade_websocket() && s.method == "GET" && s.version == "HTTP/1.1")
    }

    /// After a fix of `PlainGetsConnectionUpgrade` or `SpreadOverServers`: plain requests no
    /// longer carry `Connection: upgrade`, or both land on one backend.
    fn check_fixed_plain_requests(
        &self,
        target: &Target<'_>,
        expect: Expect,
    ) -> Result<(), String> {
        let result = match expect {
            PlainGetsConnectionUpgrade => match self.probe_seen() {
                Some(seen) if seen.has_connection_upgrade() => Err(format!(
                    "a plain request still arrives with Connection: upgrade: {}",
                    seen.summary()
                )),
                Some(_) => Ok(()),
                None => Err("no plain request reached a backend".to_owned()),
            },
            SpreadOverServers => match self.probes.as_slice() {
                [Ok(a), Ok(b)] if a.1.is_some() && a.1 == b.1 => Ok(()),
                other => Err(format!(
                    "expected both plain requests on the same backend, got {other:?}"
                )),
            },
            _ => Ok(()),
        };
        result.map_err(|e| format!("{e}\n  observed: {}\n  uri: {}", self.summary(), target.uri))
    }

    fn check(&self, target: &Target<'_>, expect: Expect) -> Result<(), String> {
        self.check_inner(target, expect).map_err(|e| {
            format!(
                "{e}\n  observed: {}\n  rendered config:\n{}",
                self.summary(),
                indent(&self.config)
            )
        })
    }

    fn check_inner(&self, target: &Target<'_>, expect: Expect) -> Result<(), String> {
        if let ConfigRejected(message) = expect {
            return match &self.nginx_t {
                Err(e) if e.contains(message) => Ok(()),
                Err(e) => Err(format!("nginx -t failed, but not with `{message}`: {e}")),
                Ok(_) => Err(format!("nginx -t accepted the file; expected `{message}`")),
            };
        }
        if let Err(e) = &self.nginx_t {
            return Err(format!("nginx -t rejected the file: {e}"));
        }
        if let Some(e) = self.start_error.as_ref().or(self.leftover.as_ref()) {
            return Err(e.clone());
        }
        let o = self.observed.as_ref().ok_or("no client run")?;
        if let Some(uri) = target.plain_uri {
            match &self.plain_get {
                Some(Ok((200, Some(b)))) if b == "plain" => {}
                other => {
                    return Err(format!(
                        "a plain GET of {uri} should reach the plain backend, got {other:?}"
                    ));
                }
            }
        }
        let ws_backend_101 = o.status == Some(101) && o.backend.as_deref() == Some("ws-echo");
        match expect {
            Works => {
                if !ws_backend_101 || !o.echo || o.idle != Some(Idle::Survived) {
                    return Err(format!(
                        "expected 101 from the WebSocket backend, an echo, and survival of {}s idle",
                        IDLE.as_secs()
                    ));
                }
            }
            BackendRefused(missing) => {
                let status = match missing {
                    Http11 => 505,
                    OriginHost => 403,
                    _ => 426,
                };
                if o.status != Some(status) || o.backend.as_deref() != Some("ws-echo") {
                    return Err(format!(
                        "expected the WebSocket backend's {status} relayed by nginx"
                    ));
                }
                let [seen] = self.ws_seen.as_slice() else {
                    return Err("expected exactly one request at the WebSocket backend".into());
                };
                let matches = match missing {
                    Http11 => seen.version == "HTTP/1.0",
                    UpgradeHeader => !seen.has_upgrade_websocket(),
                    ConnectionUpgrade => {
                        seen.version == "HTTP/1.1"
                            && seen.has_upgrade_websocket()
                            && !seen.has_connection_upgrade()
                    }
                    OriginHost => {
                        let origin = seen.header("Origin").unwrap_or("");
                        let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
                        seen.has_upgrade_websocket()
                            && seen.has_connection_upgrade()
                            && !seen
                                .header("Host")
                                .is_some_and(|h| h.eq_ignore_ascii_case(origin_host))
                    }
                };
                if !matches {
                    return Err(format!(
                        "the backend's request does not show {missing:?}: {}",
                        seen.summary()
                    ));
                }
            }
            ClosedWhenIdle { secs } => {
                let Some(Idle::Closed { after, close_frame }) = &o.idle else {
                    return Err(format!(
                        "expected nginx to close the idle connection after {secs}s"
                    ));
                };
                let t = after.as_secs_f64();
                if !ws_backend_101 || !o.echo {
                    return Err("expected 101 and an echo before the idle period".into());
                }
                if t < secs as f64 - 0.3 || t > secs as f64 + 2.0 || *close_frame {
                    return Err(format!(
                        "expected a close without close frame at about {secs}s, got {t:.2}s (close frame: {close_frame})"
                    ));
                }
            }
            ClosedWhenIdleNotWaited { .. } => {
                if !ws_backend_101 || !o.echo {
                    return Err("expected 101 and an echo".into());
                }
            }
            OtherLocation => {
                let served_by_plain =
                    o.status == Some(200) && o.backend.as_deref() == Some("plain");
                let reached = self.plain_seen.iter().any(|s| s.target == target.uri);
                if !served_by_plain || !reached || !self.ws_seen.is_empty() {
                    return Err(format!(
                        "expected {} to be served by the other location's plain backend, with nothing at the WebSocket backend",
                        target.uri
                    ));
                }
            }
            PlainGetsConnectionUpgrade => match self.probe_seen() {
                Some(seen) if seen.has_connection_upgrade() => {}
                Some(seen) => {
                    return Err(format!(
                        "expected a plain request with Connection: upgrade, got {}",
                        seen.summary()
                    ));
                }
                None => return Err("no plain request reached a backend".into()),
            },
            NotTunnelled => {
                let upgrade_over_http11 = target.protocol == Protocol::Http
                    && self
                        .ws_seen
                        .iter()
                        .any(|s| s.version == "HTTP/1.1" && s.has_upgrade_websocket());
                if o.echo
                    || self.ws_seen.is_empty()
                    || upgrade_over_http11
                    || self.tunnelled.iter().any(|&n| n > 0)
                {
                    return Err(
                        "expected the backend to be reached but never to receive the client's frames"
                            .into(),
                    );
                }
            }
            NoHttp1Response => {
                if o.status.is_some() || !self.ws_seen.is_empty() {
                    return Err("expected no HTTP/1.1 response and nothing at the backend".into());
                }
            }
            ForeignOriginAccepted => {
                if !ws_backend_101 || !o.echo {
                    return Err("expected 101 from the WebSocket backend and an echo".into());
                }
            }
            SpreadOverServers => match self.probes.as_slice() {
                [Ok(a), Ok(b)] if a.1.is_some() && b.1.is_some() && a.1 != b.1 => {}
                other => {
                    return Err(format!(
                        "expected the two plain requests on different backends, got {other:?}"
                    ));
                }
            },
            AnsweredByNginx(code) => {
                if o.status != Some(code) || o.backend.is_some() || !self.ws_seen.is_empty() {
                    return Err(format!(
                        "expected nginx itself to answer {code}, with nothing at the backend"
                    ));
                }
            }
            ConfigRejected(_) | NotRun(_) => unreachable!(),
        }
        Ok(())
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    | {l}\n")).collect()
}

// ---------------------------------------------------------------------------------------
// wscfg as a library: the same calls `wscfg check` and `wscfg fix --unsafe-fixes` make.

fn lint_codes(path: &Path, text: &str) -> BTreeSet<&'static str> {
    let mut s = Session::new(Config::default());
    s.add_text(path.to_owned(), text.to_owned(), Format::Nginx);
    s.lint().iter().map(|d| d.code).collect()
}

fn fix_like_wscfg(path: &Path, text: &str) -> String {
    let mut s = Session::new(Config::default());
    let id = s.add_text(path.to_owned(), text.to_owned(), Format::Nginx);
    let outcome = s.fix(true);
    assert!(
        outcome.notes.is_empty(),
        "{}: {:?}",
        path.display(),
        outcome.notes
    );
    s.db.get(id).text.clone()
}

/// `wscfg check --output-format json FILE`, or the file on standard input as nginx.
fn wscfg_check(path: &Path, as_stdin: bool) -> std::process::Output {
    use std::io::Write;
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wscfg"));
    cmd.args(["check", "--output-format", "json", "--color", "never"]);
    if !as_stdin {
        return cmd.arg(path).output().unwrap();
    }
    let mut child = cmd
        .args(["--stdin-format", "nginx", "--stdin-filename"])
        .arg(path)
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let bytes = std::fs::read(path).unwrap();
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    child.wait_with_output().unwrap()
}

/// `wscfg fix [--unsafe-fixes] FILE` without writing: the file's text afterwards.
fn fix_file(path: &Path, unsafe_fixes: bool) -> String {
    let mut s = Session::new(Config::default());
    s.add_file(path.to_owned(), Format::Nginx);
    let id = s.checked[0].0;
    s.fix(unsafe_fixes);
    s.db.get(id).text.clone()
}

fn fixed_twin(path: &Path) -> PathBuf {
    let name = path.file_name().unwrap().to_str().unwrap();
    let (stem, ext) = name.split_once('.').unwrap();
    path.with_file_name(format!("{stem}.fixed.{ext}"))
}

fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap()
}

fn rel(p: &Path) -> String {
    p.strip_prefix(FIXTURES)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}
