//! In-process micro benchmarks (divan): the nginx parser and the whole lint on the
//! `bench/gen_nginx.py` configuration (5000 servers, generated here, byte for byte the same),
//! location selection on one server with 20,000 locations (`bench/gen_locations.py`), and a
//! fly.toml lint. Run with `cargo bench`; `cargo bench -- parse` runs the matching ones.

use std::fmt::Write;
use wscfg::config::Config;
use wscfg::engine::Session;
use wscfg::formats::Format;
use wscfg::formats::nginx::{NginxContext, load, parser, tree};

fn main() {
    divan::main();
}

/// `bench/gen_nginx.py N` with the prefix `/srv/bench`.
fn gen_nginx(n: usize) -> String {
    let prefix = "/srv/bench";
    let n_up = (n / 10).max(1);
    let mut s = String::new();
    let mut w = |line: String| {
        s.push_str(&line);
        s.push('\n');
    };
    w("worker_processes 1;".into());
    w(format!("pid {prefix}/logs/nginx.pid;"));
    w(format!("error_log {prefix}/logs/error.log;"));
    w("events { worker_connections 1024; }".into());
    w("http {".into());
    w("    access_log off;".into());
    for t in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"] {
        let dir = match t {
            "client_body" => "tmp_body",
            "proxy" => "tmp_proxy",
            "fastcgi" => "tmp_fcgi",
            "uwsgi" => "tmp_uwsgi",
            _ => "tmp_scgi",
        };
        w(format!("    {t}_temp_path {prefix}/{dir};"));
    }
    w("    server_names_hash_max_size 65536;".into());
    w("    server_names_hash_bucket_size 128;".into());
    w("    map $http_upgrade $connection_upgrade {".into());
    w("        default upgrade;".into());
    w("        ''      close;".into());
    w("    }".into());
    for u in 0..n_up {
        w(format!("    upstream backend_{u} {{"));
        w(format!("        server 127.0.0.1:{};", 10000 + u % 50000));
        w(format!(
            "        server 127.0.0.1:{} backup;",
            20000 + u % 40000
        ));
        w("        keepalive 16;".into());
        w("    }".into());
    }
    for i in 0..n {
        let u = i % n_up;
        w("    server {".into());
        w(format!("        listen 127.0.0.1:{};", 8000 + i % 50));
        w(format!(
            "        server_name app{i}.example.test www.app{i}.example.test;"
        ));
        w("        proxy_set_header Host $host;".into());
        w("        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;".into());
        w(format!(
            "        location / {{ proxy_pass http://backend_{u}; }}"
        ));
        w(format!(
            "        location ^~ /static/ {{ root {prefix}/www; expires 1h; }}"
        ));
        w("        location = /healthz { return 200 'ok'; }".into());
        w(format!(
            "        location ~ ^/api/v[0-9]+/items/(?<id>[0-9]+)$ {{ proxy_pass http://backend_{u}; }}"
        ));
        w("        location /ws/ {".into());
        if i % 3 == 0 {
            w("            proxy_set_header Host $host;  # drops inherited headers".into());
        } else {
            w("            proxy_http_version 1.1;".into());
        }
        w("            proxy_set_header Upgrade $http_upgrade;".into());
        w("            proxy_set_header Connection $connection_upgrade;".into());
        w(format!(
            "            proxy_read_timeout {}s;",
            if i % 2 == 1 { 60 } else { 3600 }
        ));
        w(format!("            proxy_pass http://backend_{u};"));
        w("        }".into());
        w("        location @fallback { proxy_pass http://backend_0; }".into());
        w("        if ($request_method = TRACE) { return 405; }".into());
        w("    }".into());
    }
    w("}".into());
    s
}

/// `bench/gen_locations.py N`.
fn gen_locations(n: usize) -> String {
    let mut s = String::from(
        "events {}\nhttp {\n    map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n    server {\n        listen 127.0.0.1:8080;\n",
    );
    for i in 0..n {
        if i % 2 == 1 {
            let _ = writeln!(
                s,
                "        location ~ ^/r{i}/(?<id>[0-9]+)$ {{ proxy_pass http://127.0.0.1:9000; }}"
            );
        } else if i % 10 == 0 {
            let _ = writeln!(
                s,
                "        location /app{i}/ws/ {{\n            proxy_pass http://127.0.0.1:9000;\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection $connection_upgrade;\n        }}"
            );
        } else {
            let _ = writeln!(
                s,
                "        location /p{i}/ {{ proxy_pass http://127.0.0.1:9000; }}"
            );
        }
    }
    s.push_str("    }\n}\n");
    s
}

#[divan::bench(sample_count = 10)]
fn nginx_parse_5000_servers(bencher: divan::Bencher) {
    let text = gen_nginx(5000);
    bencher
        .counter(divan::counter::BytesCount::of_str(&text))
        .bench(|| parser::parse(divan::black_box(&text)).expect("generated file parses"));
}

fn session_with(path: &str, text: &str, format: Format) -> Session {
    let mut s = Session::new(Config::default());
    s.add_text(path.into(), text.to_owned(), format);
    s
}

#[divan::bench(sample_count = 10)]
fn nginx_lint_5000_servers(bencher: divan::Bencher) {
    let text = gen_nginx(5000);
    bencher
        .with_inputs(|| session_with("nginx.conf", &text, Format::Nginx))
        .bench_local_refs(|s| s.lint().len());
}

/// Indexing a server with 20,000 locations (half regex) and selecting the location of 2,000
/// URIs: prefix, exact-miss and regex ones.
#[divan::bench(sample_count = 10)]
fn location_selection_20000_locations(bencher: divan::Bencher) {
    let text = gen_locations(20000);
    let settings = wscfg::config::NginxSettings::default();
    let mut db = wscfg::source::SourceDb::default();
    let file = db.add("nginx.conf".into(), text);
    let loaded = load::load(&mut db, &[file], &settings);
    let (root, context) = loaded.roots[0];
    let uris: Vec<String> = (0..2000)
        .map(|i| match i % 4 {
            0 => format!("/p{}/x", (i * 10) % 20000),
            1 => format!("/r{}/42", (i * 10 + 1) % 20000),
            2 => format!("/app{}/ws/", (i * 10) % 20000),
            _ => format!("/nowhere/{i}"),
        })
        .collect();
    bencher.bench_local(|| {
        let tree = tree::Tree::build(&loaded.parsed, &loaded.includes, root, context);
        let cx = NginxContext::new(tree, &db, &settings);
        let http = cx
            .tree
            .children_named(cx.tree.root(), "http")
            .next()
            .expect("http block");
        let server = cx
            .tree
            .children_named(http, "server")
            .next()
            .expect("server block");
        uris.iter()
            .filter(|u| cx.select_location(server, u).is_some())
            .count()
    });
}

#[divan::bench]
fn fly_toml_lint(bencher: divan::Bencher) {
    let text = include_str!(
        "../fixtures/fly/autostop_drops_sockets/fires_launch_defaults_websocket_app.toml"
    );
    bencher
        .with_inputs(|| session_with("fly.toml", text, Format::Fly))
        .bench_local_refs(|s| s.lint().len());
}
