//! The nginx files `wscfg init nginx` writes, run by the real nginx installed here with real
//! WebSocket peers (the harness in tests/e2e/: templating, echo backends, the client):
//! - a server block (plain): `nginx -t` accepts it, a client gets 101 from the backend, an
//!   echo, and the socket survives an idle period; ordinary requests reach the app through
//!   the other location. Control: the same file with its `proxy_read_timeout` cut to 2 s
//!   loses the idle socket at 2 s, so the survival is the generated timeout's doing;
//! - `--socketio --upstreams 3`: three backends; every WebSocket and polling request of the
//!   client lands on one of them (sticky). Control: without the `hash` line, nginx spreads
//!   the same requests over several backends;
//! - `--tls` with a certificate made here by openssl: wss:// handshake, echo and idle
//!   through TLS, and the plain-HTTP port answers ws:// with the 301 to https (needs
//!   openssl too);
//! - `--full`: the complete nginx.conf runs as the main file, with the same checks.
//!
//! Like tests/nginx_e2e.rs, this needs nginx: the tests are ignored unless asked for (`cargo test
//! -- --include-ignored`), and then fail with installation advice without it.

#[allow(dead_code)]
mod e2e;

use clap::Parser;
use e2e::backend::{Seen, WsBackend, WsOptions};
use e2e::client::{self, Idle, Observed};
use e2e::nginx::{self, Backends, Main, Rendered, Running};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use wscfg::cli::{Cli, Command as Sub, InitPlatform};

/// Longer than the 2 s timeout of the control run, far shorter than the generated 3600 s.
const IDLE: Duration = Duration::from_secs(3);
const CONTROL_TIMEOUT_SECS: f64 = 2.0;

/// `wscfg init nginx ARGS` through the real command-line definitions and the library.
fn generate(args: &[&str]) -> String {
    let mut argv = vec!["wscfg", "init", "nginx"];
    argv.extend_from_slice(args);
    let Sub::Init(init) = Cli::try_parse_from(&argv).unwrap().command else {
        unreachable!()
    };
    let Some(InitPlatform::Nginx(a)) = init.platform else {
        unreachable!()
    };
    let options = wscfg::generate::nginx::Options::from_args(&a).unwrap();
    wscfg::generate::nginx::generate(&options).unwrap().text
}

/// Whether the generated file is a whole nginx.conf or a file for the http block.
#[derive(Clone, Copy)]
enum Shape {
    Main,
    HttpFragment,
}

/// Renders `text` with the harness, `nginx -t`s it and starts nginx (retrying when a port
/// picked as free was taken meanwhile). The directory holds nothing but the file.
async fn start(text: &str, shape: Shape, backends: Backends) -> (Rendered, Running) {
    let root = tempfile::tempdir().unwrap();
    let mut last = String::new();
    for _attempt in 0..3 {
        let main = match shape {
            Shape::Main => Main::File {
                rel: Path::new("nginx.conf"),
                text,
            },
            Shape::HttpFragment => Main::HttpFragment {
                rel: Path::new("websocket.conf"),
                text,
            },
        };
        let rendered = nginx::render(root.path(), main, backends).unwrap();
        if let Err(e) = tokio::task::block_in_place(|| nginx::test_config(&rendered)) {
            panic!(
                "nginx -t rejects the generated file: {e}\n{}",
                rendered.main_text()
            );
        }
        match Running::start(&rendered).await {
            Ok(running) => return (rendered, running),
            Err(e) if e.contains("Address already in use") => last = e,
            Err(e) => panic!("nginx did not start: {e}"),
        }
    }
    panic!("nginx did not start: {last}")
}

fn stop(running: Running) {
    let pid = running.pid();
    tokio::task::block_in_place(|| drop(running));
    assert!(!nginx::group_alive(pid), "nginx outlived the stop");
}

/// 101 from the echo backend, an echo, and survival of the idle period when asked for.
fn assert_works(what: &str, o: &Observed, idle: bool) {
    println!("{what}: {}", o.summary());
    assert_eq!(o.status, Some(101), "{what}: {}", o.summary());
    assert_eq!(
        o.backend.as_deref(),
        Some("ws-echo"),
        "{what}: {}",
        o.summary()
    );
    assert!(o.echo, "{what}: {}", o.summary());
    if idle {
        assert_eq!(o.idle, Some(Idle::Survived), "{what}: {}", o.summary());
    }
}

fn backends(ws: &WsBackend) -> Backends {
    Backends {
        ws: ws.port,
        // Nothing listens there: every generated location proxies to the app.
        plain: nginx::free_port(),
    }
}

/// The plain request `uri` reached the app, not as an upgrade.
fn assert_ordinary(seen: &[Seen], uri: &str) {
    let s = seen
        .iter()
        .find(|s| s.target == uri)
        .unwrap_or_else(|| panic!("the app never saw GET {uri}: {seen:?}"));
    assert!(!s.has_upgrade_websocket(), "{}", s.summary());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
async fn generated_server_block_proxies_websockets() {
    nginx::binary();
    let text = generate(&["--listen", "8080", "--upstream", "127.0.0.1:9000"]);
    let control_text = text.replace("proxy_read_timeout 3600s;", "proxy_read_timeout 2s;");
    assert_ne!(
        text, control_text,
        "the generated file sets proxy_read_timeout 3600s"
    );

    let (generated, control) = tokio::join!(
        async {
            let app = WsBackend::start(WsOptions::default()).await;
            let (_r, running) = start(&text, Shape::HttpFragment, backends(&app)).await;
            let ws = client::probe(running.port, "/ws", Some(IDLE)).await;
            let nested = client::probe(running.port, "/ws/room/42", None).await;
            let plain = client::plain_get(running.port, "/api/items").await;
            stop(running);
            (ws, nested, plain, app.seen())
        },
        async {
            let app = WsBackend::start(WsOptions::default()).await;
            let (_r, running) = start(&control_text, Shape::HttpFragment, backends(&app)).await;
            let ws = client::probe(running.port, "/ws", Some(IDLE)).await;
            stop(running);
            ws
        }
    );
    let (ws, nested, plain, seen) = generated;
    assert_works("generated server block, /ws", &ws, true);
    assert_works("generated server block, /ws/room/42", &nested, false);
    println!("plain GET /api/items: {plain:?}");
    assert_ordinary(&seen, "/api/items");
    let upgrade = seen.iter().find(|s| s.target == "/ws").unwrap();
    assert!(
        upgrade.version == "HTTP/1.1" && upgrade.has_connection_upgrade(),
        "{}",
        upgrade.summary()
    );

    println!("control, proxy_read_timeout 2s: {}", control.summary());
    match control.idle {
        Some(Idle::Closed { after, .. })
            if (after.as_secs_f64() - CONTROL_TIMEOUT_SECS).abs() < 1.0 => {}
        _ => panic!(
            "the control run should lose the idle socket after about 2 s: {}",
            control.summary()
        ),
    }
}

/// Sends the requests of one Socket.IO client (WebSocket and polling) through nginx and
/// returns how many requests each backend saw.
async fn socketio_client(port: u16, apps: &[WsBackend]) -> (Vec<usize>, Vec<Observed>) {
    let mut observed =
        vec![client::probe(port, "/socket.io/?EIO=4&transport=websocket", Some(IDLE)).await];
    for i in 0..3 {
        let polling = format!("/socket.io/?EIO=4&transport=polling&t={i}");
        let _ = client::plain_get(port, &polling).await;
        observed.push(client::probe(port, "/socket.io/?EIO=4&transport=websocket", None).await);
    }
    let counts = apps.iter().map(|a| a.seen().len()).collect();
    (counts, observed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
async fn generated_socketio_config_is_sticky_across_three_instances() {
    nginx::binary();
    let text = generate(&[
        "--socketio",
        "--upstreams",
        "3",
        "--listen",
        "8080",
        "--upstream",
        "127.0.0.1:9000",
    ]);
    let control_text = text.replace("hash $remote_addr consistent;", "");
    assert_ne!(
        text, control_text,
        "the generated file hashes the client address"
    );

    let run = |text: String| async move {
        let apps = [
            WsBackend::start(WsOptions::default()).await,
            WsBackend::start(WsOptions::default()).await,
            WsBackend::start(WsOptions::default()).await,
        ];
        // The harness maps 127.0.0.1:9000 to the first backend; the other two instances
        // (9001, 9002) are pointed at the other backends here.
        let text = text
            .replace("127.0.0.1:9001", &format!("127.0.0.1:{}", apps[1].port))
            .replace("127.0.0.1:9002", &format!("127.0.0.1:{}", apps[2].port));
        let b = Backends {
            ws: apps[0].port,
            plain: nginx::free_port(),
        };
        let (_r, running) = start(&text, Shape::HttpFragment, b).await;
        let result = socketio_client(running.port, &apps).await;
        stop(running);
        result
    };
    let ((counts, observed), (control_counts, _)) =
        tokio::join!(run(text.clone()), run(control_text));
    println!("generated: requests per instance {counts:?}; without hash: {control_counts:?}");
    assert_works("Socket.IO websocket transport", &observed[0], true);
    for o in &observed[1..] {
        assert_works("Socket.IO websocket transport, again", o, false);
    }
    assert_eq!(counts.iter().sum::<usize>(), 7, "{counts:?}");
    assert_eq!(
        counts.iter().filter(|&&n| n > 0).count(),
        1,
        "every request of the client should reach one instance: {counts:?}"
    );
    assert_eq!(
        control_counts.iter().sum::<usize>(),
        7,
        "{control_counts:?}"
    );
    assert!(
        control_counts.iter().filter(|&&n| n > 0).count() > 1,
        "the control (no hash) should spread the requests: {control_counts:?}"
    );
}

/// A self-signed certificate for localhost and 127.0.0.1, made by openssl. Panics with
/// installation advice when openssl is missing: the test runs only when asked for.
fn self_signed(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let out = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .args(["-addext", "extendedKeyUsage=serverAuth"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect(
            "openssl is not installed, and the TLS case needs it for a certificate: install it \
             with `sudo apt-get install openssl` (`.ci/run` does this)",
        );
    assert!(
        out.status.success(),
        "openssl could not make a certificate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (cert, key)
}

/// A TLS connection to 127.0.0.1:`port` that trusts exactly `cert`.
async fn tls_connect(
    port: u16,
    cert: &Path,
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(cert).unwrap())
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .expect("TLS handshake with the generated server")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx and openssl: cargo test -- --include-ignored"]
async fn generated_tls_config_serves_wss() {
    nginx::binary();
    let certs = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed(certs.path());
    let (cert_s, key_s) = (cert.display().to_string(), key.display().to_string());
    let text = generate(&[
        "--tls",
        "--listen",
        "8443",
        "--server-name",
        "localhost",
        "--upstream",
        "127.0.0.1:9000",
        "--cert",
        &cert_s,
        "--key",
        &key_s,
    ]);
    let app = WsBackend::start(WsOptions::default()).await;
    let (rendered, running) = start(&text, Shape::HttpFragment, backends(&app)).await;
    let tls_port = rendered.listen_ports["8443"];
    let http_port = rendered.listen_ports["80"];
    let tls = tls_connect(tls_port, &cert).await;
    let wss = client::probe_stream(tls, tls_port, "/ws", Some(IDLE)).await;
    let plain_ws = client::probe(http_port, "/ws", None).await;
    stop(running);
    assert_works("wss:// through the generated TLS server", &wss, true);
    println!("ws:// to the plain-HTTP port: {}", plain_ws.summary());
    assert_eq!(plain_ws.status, Some(301), "{}", plain_ws.summary());
    assert_eq!(plain_ws.backend, None, "nginx itself answers the redirect");
    let seen = app.seen();
    let upgrade = seen
        .iter()
        .find(|s| s.target == "/ws")
        .expect("the app saw /ws");
    assert_eq!(upgrade.header("X-Forwarded-Proto"), Some("https"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
async fn generated_full_nginx_conf_runs_as_the_main_file() {
    nginx::binary();
    let text = generate(&["--full", "--listen", "8080", "--upstream", "127.0.0.1:9000"]);
    let app = WsBackend::start(WsOptions::default()).await;
    let (_r, running) = start(&text, Shape::Main, backends(&app)).await;
    let ws = client::probe(running.port, "/ws", Some(IDLE)).await;
    let _ = client::plain_get(running.port, "/index.html").await;
    stop(running);
    assert_works("generated nginx.conf, /ws", &ws, true);
    assert_ordinary(&app.seen(), "/index.html");
}
