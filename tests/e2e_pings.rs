//! Servers that ping, through the real nginx: NGX006 (and the other idle-timeout rules) stay
//! quiet for a server known to send something more often than the timeout, and report one
//! known to send nothing. Both premises are shown here with real servers from the knowledge
//! base (src/project/servers.rs), each on 127.0.0.1 with a port from the OS:
//! - uvicorn (PyPI), which pings every `--ws-ping-interval` seconds (20 by default);
//! - the Node `ws` server (npm), which sends nothing unless the application pings.
//!
//! Each test takes the project fixture whose verdict it proves, checks that verdict, then
//! runs the fixture's nginx.conf with every interval scaled down tenfold (a 30 s timeout
//! becomes 3 s, uvicorn's 20 s pings 2 s), so every wait is a few seconds.
//!
//! Needs nginx, python3 with uvicorn (`pip install uvicorn websockets`) and node with `ws`
//! (`npm install -g ws`); without them the tests fail and say so, like tests/nginx_e2e.rs.

// The shared helpers serve tests/nginx_e2e.rs in full; this suite uses a few of them.
#[allow(dead_code)]
mod e2e;

use e2e::client::{self, Idle, Observed};
use e2e::nginx::{self, Backends, Main, Rendered, Running};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use wscfg::config::Config;
use wscfg::engine::Session;
use wscfg::formats::Format;

const FIXTURES: &str = "fixtures/nginx/read_timeout_short";
/// How long a server may take to open its port.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// The fixtures' read timeout (30 s), scaled down tenfold.
const SCALED_TIMEOUT: &str = "proxy_read_timeout 3s;";
/// Longer than two scaled timeouts: a socket that survives it was kept open by traffic.
const IDLE: Duration = Duration::from_secs(7);

/// An ASGI app that accepts a WebSocket and echoes text; it never sends anything of its own.
const ASGI_ECHO: &str = r#"
async def app(scope, receive, send):
    if scope["type"] != "websocket":
        return
    while True:
        event = await receive()
        if event["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
        elif event["type"] == "websocket.receive":
            await send({"type": "websocket.send", "text": event.get("text") or ""})
        else:
            return
"#;

/// A `ws` server that echoes every message and sends nothing of its own.
const NODE_WS_ECHO: &str = r#"
const { WebSocketServer } = require('ws');
const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2]) });
wss.on('connection', (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
"#;

/// A server process this test started; killed (by its own id) when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `cmd` (which must listen on `port`) and waits, bounded, until it accepts.
async fn start_server(mut cmd: Command, port: u16, what: &str) -> Server {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let mut server = Server { child, port };
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("{what} exited at start ({status}); is it installed? (see this file's header)");
        }
        let connect = tokio::net::TcpStream::connect(("127.0.0.1", port));
        if let Ok(Ok(_)) = tokio::time::timeout(Duration::from_millis(200), connect).await {
            return server;
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not open port {port} within {START_TIMEOUT:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The rule codes wscfg reports on a fixture project's nginx.conf.
fn codes(project: &Path) -> Vec<&'static str> {
    let mut s = Session::new(Config::default());
    s.add_file(project.join("nginx.conf"), Format::Nginx);
    s.lint().iter().map(|d| d.code).collect()
}

/// The fixture's nginx.conf scaled down tenfold, proxying to the WebSocket server.
fn scaled(project: &Path, app_port: &str) -> String {
    let text = std::fs::read_to_string(project.join("nginx.conf")).unwrap();
    assert!(text.contains("proxy_read_timeout 30s;"), "{text}");
    text.replace("proxy_read_timeout 30s;", SCALED_TIMEOUT)
        .replace(&format!("127.0.0.1:{app_port}"), "127.0.0.1:9000")
}

/// nginx on `text` with `127.0.0.1:9000` → the server; a WebSocket client idles through it.
async fn through_nginx(text: &str, server: &Server) -> Observed {
    let root = tempfile::tempdir().unwrap();
    let backends = Backends {
        ws: server.port,
        plain: nginx::free_port(),
    };
    let main = Main::File {
        rel: Path::new("nginx.conf"),
        text,
    };
    let rendered: Rendered = nginx::render(root.path(), main, backends).unwrap();
    tokio::task::block_in_place(|| nginx::test_config(&rendered)).unwrap();
    let running = Running::start(&rendered).await.unwrap();
    let seen = client::probe(running.port, "/ws/", Some(IDLE)).await;
    let pid = running.pid();
    tokio::task::block_in_place(|| drop(running));
    assert!(!nginx::group_alive(pid), "nginx outlived the stop");
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx and uvicorn: cargo test -- --include-ignored"]
async fn uvicorn_pings_keep_a_socket_open_through_a_shorter_read_timeout() {
    let project = Path::new(FIXTURES).join("quiet_uvicorn_project");
    assert!(
        !codes(&project).contains(&"NGX006"),
        "wscfg reports NGX006 on {}",
        project.display()
    );
    let app_dir = tempfile::tempdir().unwrap();
    std::fs::write(app_dir.path().join("echo.py"), ASGI_ECHO).unwrap();
    let port = nginx::free_port();
    let mut cmd = Command::new("python3");
    cmd.args(["-m", "uvicorn", "echo:app", "--app-dir"])
        .arg(app_dir.path())
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        // uvicorn's default 20 s, scaled like the timeout.
        .args(["--ws-ping-interval", "2", "--ws-ping-timeout", "5"])
        .args(["--lifespan", "off", "--log-level", "warning"]);
    let server = start_server(cmd, port, "uvicorn").await;
    let seen = through_nginx(&scaled(&project, "8000"), &server).await;
    println!(
        "uvicorn pinging every 2 s, {SCALED_TIMEOUT}: {}",
        seen.summary()
    );
    assert_eq!(seen.status, Some(101), "{}", seen.summary());
    assert!(seen.echo, "{}", seen.summary());
    assert_eq!(seen.idle, Some(Idle::Survived), "{}", seen.summary());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs real nginx and node with the ws package: cargo test -- --include-ignored"]
async fn node_ws_sends_nothing_and_is_closed_at_the_read_timeout() {
    let project = Path::new(FIXTURES).join("fires_node_ws_project");
    assert!(
        codes(&project).contains(&"NGX006"),
        "wscfg does not report NGX006 on {}",
        project.display()
    );
    let app_dir = tempfile::tempdir().unwrap();
    let script = app_dir.path().join("echo.js");
    std::fs::write(&script, NODE_WS_ECHO).unwrap();
    let npm_root = Command::new("npm")
        .args(["root", "-g"])
        .output()
        .expect("npm (to find the global `ws` package)");
    let port = nginx::free_port();
    let mut cmd = Command::new("node");
    cmd.arg(&script).arg(port.to_string()).env(
        "NODE_PATH",
        String::from_utf8_lossy(&npm_root.stdout).trim(),
    );
    let server = start_server(cmd, port, "node with the `ws` package").await;
    let seen = through_nginx(&scaled(&project, "3000"), &server).await;
    println!("Node ws, no pings, {SCALED_TIMEOUT}: {}", seen.summary());
    assert_eq!(seen.status, Some(101), "{}", seen.summary());
    assert!(seen.echo, "{}", seen.summary());
    match seen.idle {
        Some(Idle::Closed { after, .. }) => assert!(
            (Duration::from_millis(2500)..Duration::from_millis(4500)).contains(&after),
            "closed after {after:?}, not at the 3 s timeout"
        ),
        other => panic!("the silent socket was not closed: {other:?}"),
    }
}
