//! `wscfg check <repository>` builds one project view: findings that span files name both
//! ends, with labels in each file, and `wscfg fix` edits the app-side file.

mod common;

use common::Project;

/// The situation of issue 7: a Next.js frontend with socket.io-client against a FastAPI
/// backend's plain WebSocket route, deployed on Railway.
fn nextjs_socketio_fastapi() -> Project {
    let p = Project::new();
    p.write(
        "frontend/package.json",
        "{\n  \"name\": \"web\",\n  \"dependencies\": {\n    \"next\": \"14.2.5\",\n    \"socket.io-client\": \"^4.7.5\"\n  }\n}\n",
    )
    .write(
        "frontend/lib/socket.ts",
        "import { io } from \"socket.io-client\";\n\nexport const socket = io(process.env.NEXT_PUBLIC_WS_URL!);\n",
    )
    .write(
        "frontend/.env.production",
        "NEXT_PUBLIC_WS_URL=ws://chatroom-api.up.railway.app/ws/lobby/guest\n",
    )
    .write(
        "backend/main.py",
        "from fastapi import FastAPI, WebSocket\n\napp = FastAPI()\n\n\n@app.websocket(\"/ws/{room_id}/{user_id}\")\nasync def room(websocket: WebSocket, room_id: str, user_id: str):\n    await websocket.accept()\n",
    )
    .write("backend/requirements.txt", "fastapi==0.111.0\nuvicorn[standard]==0.30.1\n")
    .write(
        "backend/railway.toml",
        "[deploy]\nstartCommand = \"uvicorn main:app --host 0.0.0.0 --port $PORT\"\n",
    );
    p
}

#[test]
fn socketio_client_against_fastapi_names_both_ends_in_json() {
    let p = nextjs_socketio_fastapi();
    let run = p.run(&["check", "--output-format", "json", "."]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let diags = json["diagnostics"].as_array().unwrap();
    let app001 = diags
        .iter()
        .find(|d| d["code"] == "APP001")
        .unwrap_or_else(|| panic!("no APP001 in {}", run.stdout));
    assert!(
        app001["path"]
            .as_str()
            .unwrap()
            .ends_with("frontend/lib/socket.ts")
    );
    let label_paths: Vec<&str> = app001["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["path"].as_str().unwrap())
        .collect();
    assert!(
        label_paths.iter().any(|p| p.ends_with("backend/main.py")),
        "{label_paths:?}"
    );
    assert!(
        label_paths
            .iter()
            .any(|p| p.ends_with("frontend/.env.production")),
        "{label_paths:?}"
    );
    let message = app001["message"].as_str().unwrap();
    assert!(message.contains("/ws/{room_id}/{user_id}"), "{message}");
    // The same URL is plain ws:// in a production env file.
    assert!(
        diags.iter().any(|d| d["code"] == "APP002"),
        "{}",
        run.stdout
    );
}

#[test]
fn fix_rewrites_the_env_file_and_leaves_the_rest() {
    let p = nextjs_socketio_fastapi();
    let before_py = p.read("backend/main.py");
    let run = p.run(&["fix", "."]);
    assert_eq!(
        p.read("frontend/.env.production"),
        "NEXT_PUBLIC_WS_URL=wss://chatroom-api.up.railway.app/ws/lobby/guest\n",
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(p.read("backend/main.py"), before_py);
    // APP001 has no fix: it is still reported.
    let again = p.run(&["check", "--output-format", "concise", "."]);
    assert!(
        again.codes().contains(&"APP001".to_owned()),
        "{}",
        again.stdout
    );
    assert!(
        !again.codes().contains(&"APP002".to_owned()),
        "{}",
        again.stdout
    );
}

#[test]
fn vendored_and_built_files_are_not_read() {
    let p = Project::new();
    p.write(
        "web/node_modules/some-lib/index.js",
        "const s = new WebSocket(\"ws://feed.example.com/live\");\n",
    )
    .write(
        "web/dist/app.js",
        "const s = new WebSocket(\"ws://feed.example.com/live\");\n",
    )
    .write(
        "web/src/app.js",
        "const s = new WebSocket(\"wss://feed.example.com/live\");\n",
    );
    let run = p.run(&["check", "--output-format", "concise", "."]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    p.write(
        "web/src/app.js",
        "const s = new WebSocket(\"ws://feed.example.com/live\");\n",
    );
    let run = p.run(&["check", "--output-format", "concise", "."]);
    assert_eq!(run.codes(), ["APP002"], "{}", run.stdout);
}

#[test]
fn suppressions_in_js_sources_use_slash_comments() {
    let p = Project::new();
    p.write(
        "web/src/feed.js",
        "// wscfg: ignore APP002 -- the staging feed has no TLS yet\nconst feed = new WebSocket(\"ws://feed.example.com/live\");\nconst s = new WebSocket(\"ws://feed.example.com/other\"); // wscfg: ignore insecure-ws-url -- same staging feed\n",
    );
    let run = p.run(&["check", "--output-format", "concise", "."]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // A `#` comment is not a comment in JS: it suppresses nothing.
    p.write(
        "web/src/feed.js",
        "# wscfg: ignore APP002 -- not a JS comment\nconst feed = new WebSocket(\"ws://feed.example.com/live\");\n",
    );
    let run = p.run(&["check", "--output-format", "concise", "."]);
    assert_eq!(run.codes(), ["APP002"], "{}", run.stdout);
}

#[test]
fn suppressions_in_go_and_python_sources_are_read() {
    // Nothing to silence: each suppression is reported as unused, which shows it was read
    // with its language's comment syntax (and a `//` in a Go string is not a comment).
    let p = Project::new();
    p.write(
        "api/main.go",
        "package main\n\nimport \"net/http\"\n\nvar home = \"http://example.com/ // wscfg: ignore APP005 -- in a string\"\n\n// wscfg: ignore APP005 -- the proxy forwards 80 to 8080\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n",
    )
    .write(
        "worker/main.py",
        "# wscfg: ignore APP003 -- websockets comes from the base image\nimport asyncio\n",
    );
    let run = p.run(&["check", "--output-format", "concise", "."]);
    let lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains("WSC001"))
        .collect();
    assert_eq!(lines.len(), 2, "{}{}", run.stdout, run.stderr);
    assert!(
        lines.iter().any(|l| l.contains("api/main.go:7:")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("worker/main.py:1:")),
        "{lines:?}"
    );
}

#[test]
fn app006_labels_the_nginx_location_nginx_selects() {
    let p = Project::new();
    p.write(
        "web/src/live.js",
        "export const s = new WebSocket(\"wss://chat.example.com/api/live\");\n",
    )
    .write(
        "nginx/site.conf",
        "events {}\nhttp {\n    server {\n        listen 80;\n        server_name chat.example.com;\n        location /api/ {\n            proxy_pass http://127.0.0.1:8000;\n        }\n    }\n}\n",
    );
    let run = p.run(&["check", "--output-format", "json", "."]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let d = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "APP006")
        .unwrap_or_else(|| panic!("no APP006 in {}", run.stdout));
    assert!(d["path"].as_str().unwrap().ends_with("web/src/live.js"));
    let label = d["labels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["path"].as_str().unwrap().ends_with("nginx/site.conf"))
        .unwrap_or_else(|| panic!("no nginx label: {d}"));
    assert_eq!(label["range"]["start"]["line"], 6, "{label}");
    // Another host's nginx says nothing about this client.
    p.write(
        "nginx/site.conf",
        "events {}\nhttp {\n    server {\n        listen 80;\n        server_name admin.example.com;\n        location /api/ {\n            proxy_pass http://127.0.0.1:8000;\n        }\n    }\n}\n",
    );
    let run = p.run(&["check", "--output-format", "concise", "."]);
    assert!(
        !run.codes().contains(&"APP006".to_owned()),
        "{}",
        run.stdout
    );
}

/// nginx on the host proxies to the loopback address; the repository's one app (a FastAPI
/// backend started by its Dockerfile) listens on another port.
fn nginx_loopback_backend(nginx_port: u16) -> Project {
    let p = Project::new();
    p.write(
        "backend/main.py",
        "from fastapi import FastAPI, WebSocket\n\napp = FastAPI()\n\n\n@app.websocket(\"/ws/{room}\")\nasync def room(websocket: WebSocket, room: str):\n    await websocket.accept()\n",
    )
    .write("backend/requirements.txt", "fastapi==0.115.6\nuvicorn[standard]==0.34.0\n")
    .write(
        "backend/Dockerfile",
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD uvicorn main:app --host 0.0.0.0 --port 8001\n",
    )
    .write(
        "nginx/site.conf",
        &format!(
            "map $http_upgrade $connection_upgrade {{\n    default upgrade;\n    ''      close;\n}}\n\nupstream chat {{\n    server 127.0.0.1:{nginx_port};\n}}\n\nserver {{\n    listen 80;\n    server_name chat.example.com;\n\n    location /ws/ {{\n        proxy_pass http://chat;\n        proxy_http_version 1.1;\n        proxy_set_header Host $host;\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection $connection_upgrade;\n        proxy_read_timeout 3600s;\n    }}\n}}\n"
        ),
    );
    p
}

#[test]
fn nginx_upstream_port_names_both_ends_and_the_fix_edits_nginx() {
    let p = nginx_loopback_backend(8000);
    let run = p.run(&["check", "--output-format", "json", "."]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let diags = json["diagnostics"].as_array().unwrap();
    let app005: Vec<_> = diags.iter().filter(|d| d["code"] == "APP005").collect();
    assert_eq!(app005.len(), 1, "{}", run.stdout);
    let d = app005[0];
    assert!(d["path"].as_str().unwrap().ends_with("nginx/site.conf"));
    let message = d["message"].as_str().unwrap();
    assert!(
        message.contains("127.0.0.1:8000")
            && message.contains("upstream chat")
            && message.contains("8001"),
        "{message}"
    );
    let labels: Vec<&str> = d["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["path"].as_str().unwrap())
        .collect();
    assert!(
        labels.iter().any(|l| l.ends_with("backend/Dockerfile")),
        "{labels:?}"
    );
    // The location that uses the upstream is labelled too.
    assert!(
        labels.iter().any(|l| l.ends_with("nginx/site.conf")),
        "{labels:?}"
    );

    let dockerfile = p.read("backend/Dockerfile");
    p.run(&["fix", "--unsafe-fixes", "."]);
    assert!(p.read("nginx/site.conf").contains("server 127.0.0.1:8001;"));
    assert_eq!(p.read("backend/Dockerfile"), dockerfile);
    let again = p.run(&["check", "--output-format", "concise", "."]);
    assert!(
        !again.codes().contains(&"APP005".to_owned()),
        "{}",
        again.stdout
    );
}

#[test]
fn nginx_loopback_port_published_by_compose_is_not_a_mismatch() {
    // `docker compose up` publishes host port 8000 to the container's 8001: nginx on the
    // host reaches the app through it.
    let p = nginx_loopback_backend(8000);
    p.write(
        "docker-compose.yml",
        "services:\n  backend:\n    build: ./backend\n    ports:\n      - \"127.0.0.1:8000:8001\"\n",
    );
    let run = p.run(&["check", "--output-format", "concise", "."]);
    assert!(
        !run.codes().contains(&"APP005".to_owned()),
        "{}",
        run.stdout
    );
    // Without the published port the same tree is reported.
    std::fs::remove_file(p.path().join("docker-compose.yml")).unwrap();
    let run = p.run(&["check", "--output-format", "concise", "."]);
    assert!(run.codes().contains(&"APP005".to_owned()), "{}", run.stdout);
}

#[test]
fn compose_service_whose_command_is_overridden_is_not_compared() {
    let p = Project::new();
    p.write(
        "api/Dockerfile",
        "FROM python:3.12-slim\nCOPY . .\nCMD uvicorn app:app --host 0.0.0.0 --port 8080\n",
    )
    .write("api/requirements.txt", "starlette==0.41.3\nuvicorn[standard]==0.34.0\n")
    .write(
        "nginx/default.conf",
        "server {\n    listen 80;\n    location /api/ {\n        proxy_pass http://api:8000;\n        proxy_set_header Host $host;\n    }\n}\n",
    )
    .write(
        "docker-compose.yml",
        "services:\n  api:\n    build: ./api\n    command: uvicorn app:app --host 0.0.0.0 --port 8000\n  proxy:\n    image: nginx:1.27-alpine\n    ports:\n      - \"80:80\"\n",
    );
    let run = p.run(&["check", "--output-format", "concise", "."]);
    assert!(
        !run.codes().contains(&"APP005".to_owned()),
        "{}",
        run.stdout
    );
    // The same service without the override is compared with its Dockerfile.
    p.write(
        "docker-compose.yml",
        "services:\n  api:\n    build: ./api\n  proxy:\n    image: nginx:1.27-alpine\n    ports:\n      - \"80:80\"\n",
    );
    let run = p.run(&["check", "--output-format", "concise", "."]);
    assert!(run.codes().contains(&"APP005".to_owned()), "{}", run.stdout);
}

#[test]
fn socketio_websocket_only_client_without_upgrade_never_connects() {
    let p = Project::new();
    p.write(
        "web/src/live.ts",
        "import { io } from \"socket.io-client\";\n\nexport const socket = io(\"https://live.example.com\", { transports: [\"websocket\"] });\n",
    )
    .write(
        "deploy/nginx.conf",
        "events {}\n\nhttp {\n    server {\n        listen 80;\n        server_name live.example.com;\n\n        location / {\n            proxy_pass http://127.0.0.1:3000;\n            proxy_set_header Host $host;\n        }\n    }\n}\n",
    );
    let run = p.run(&["check", "--output-format", "json", "."]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let d = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "APP006")
        .unwrap_or_else(|| panic!("no APP006 in {}", run.stdout));
    let message = d["message"].as_str().unwrap();
    assert!(
        message.contains("/socket.io/") && message.contains("never connects"),
        "{message}"
    );
    assert!(
        d["labels"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with("deploy/nginx.conf")
    );
    // A client for another host is not routed through this server block.
    p.write(
        "web/src/live.ts",
        "import { io } from \"socket.io-client\";\n\nexport const socket = io(\"https://push.other.example\", { transports: [\"websocket\"] });\n",
    );
    let run = p.run(&["check", "--output-format", "concise", "."]);
    assert!(
        !run.codes().contains(&"APP006".to_owned()),
        "{}",
        run.stdout
    );
}

/// In human output the other end of a project finding is drawn from its own file, under the
/// finding, not only named in the help.
#[test]
fn human_output_draws_the_other_end_in_its_file() {
    let p = nextjs_socketio_fastapi();
    let run = p.run(&["check", "--color", "never", "--select", "APP001", "."]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let backend = run
        .stdout
        .split("☞ in ")
        .find(|block| block.starts_with("./backend/main.py"))
        .unwrap_or_else(|| panic!("no snippet of backend/main.py in {}", run.stdout));
    assert!(backend.contains("@app.websocket"), "{backend}");
}
