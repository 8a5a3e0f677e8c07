//! `nginx -T` dumps are read as the files they hold: findings point at the dumped files and
//! their own lines, and includes resolve against the dump (never against this disk).
//! - tests/nginx_dump/nginx-T.txt: real `nginx -T 2>&1` output of nginx 1.22.1 for a
//!   Debian-style tree (written under a temp prefix, then the prefix replaced by /etc/nginx);
//! - a live run: real nginx dumps a tree built here, and every dumped section must equal the
//!   file on disk byte for byte, with the same findings.

#[allow(dead_code)]
#[path = "e2e/nginx.rs"]
mod nginx;

use std::path::{Path, PathBuf};
use std::process::Command;
use wscfg::config::Config;
use wscfg::engine::Session;
use wscfg::formats::Format;
use wscfg::formats::nginx::dump;

/// `path:line:col CODE` of every finding of a dump text.
fn findings(name: &str, text: &str) -> Vec<String> {
    let mut s = Session::new(Config::default());
    s.add_text(PathBuf::from(name), text.to_owned(), Format::Nginx);
    s.lint()
        .iter()
        .map(|d| {
            let f = s.db.get(d.file);
            let lc = f.line_col(d.span.start);
            format!("{}:{}:{} {}", f.path.display(), lc.line, lc.column, d.code)
        })
        .collect()
}

#[test]
fn a_stored_dump_is_linted_as_the_files_it_holds() {
    let text = std::fs::read_to_string("tests/nginx_dump/nginx-T.txt").unwrap();
    // The map is in conf.d/websocket.conf, the upgrade headers in snippets/websocket.conf
    // (included relative to the prefix, inside the location), the upstream in
    // conf.d/upstreams.conf: only the Socket.IO problem that is really there remains (a
    // Socket.IO server does not compare Origin with Host, so the upstream's name as Host
    // breaks nothing: no NGX015).
    assert_eq!(
        findings("nginx-T.txt", &text),
        ["/etc/nginx/sites-enabled/chat.example.com:11:2 NGX013"]
    );
}

#[test]
fn includes_of_a_dump_never_read_this_disk() {
    // /etc/nginx/mime.types exists on machines with nginx installed; a dump that does not
    // hold it must not pick it up from here, and says so.
    let text = "# configuration file /etc/nginx/nginx.conf:\n\
                events {}\nhttp {\n    include /etc/nginx/mime.types;\n    include conf.d/*.conf;\n}\n\n";
    assert_eq!(
        findings("nginx-T.txt", text),
        ["/etc/nginx/nginx.conf:3:5 NGX090"]
    );
    let sections = dump::split(text).unwrap();
    assert_eq!(sections.len(), 1);
    assert_eq!(sections[0].path, Path::new("/etc/nginx/nginx.conf"));
}

#[test]
#[ignore = "needs real nginx: cargo test -- --include-ignored"]
fn dump_from_real_nginx_splits_byte_for_byte() {
    let bin = nginx::binary();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    let r = root.display();
    write(
        "nginx.conf",
        &format!(
            "pid {r}/nginx.pid;\nerror_log {r}/error.log;\n\nevents {{\n\tworker_connections 64;\n}}\n\n\
             http {{\n\tinclude {r}/conf.d/*.conf;\n\tinclude sites-enabled/*;\n}}\n"
        ),
    );
    write(
        "conf.d/websocket.conf",
        "map $http_upgrade $connection_upgrade {\n\tdefault upgrade;\n\t''      close;\n}\n",
    );
    write(
        "conf.d/upstreams.conf",
        "upstream socketio_nodes {\n\tserver 127.0.0.1:3001;\n\tserver 127.0.0.1:3002;\n}\n",
    );
    write(
        "snippets/websocket.conf",
        "proxy_http_version 1.1;\nproxy_set_header Upgrade $http_upgrade;\nproxy_set_header Connection $connection_upgrade;\n",
    );
    // No final line feed: nginx's own separator must not be taken for the file's.
    write(
        "sites-enabled/chat.example.com",
        "server {\n\tlisten 127.0.0.1:18999;\n\tserver_name chat.example.com;\n\n\tlocation /socket.io/ {\n\t\tproxy_pass http://socketio_nodes;\n\t\tinclude snippets/websocket.conf;\n\t}\n}",
    );
    let out = Command::new(&bin)
        .arg("-T")
        .arg("-p")
        .arg(root)
        .arg("-c")
        .arg(root.join("nginx.conf"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "nginx -T failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // As `nginx -T 2>&1 > file` leaves it: nginx's messages first.
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    let sections = dump::split(&text).expect("nginx -T output is recognised as a dump");
    assert_eq!(sections.len(), 5, "{text}");
    for s in &sections {
        let on_disk = std::fs::read_to_string(&s.path).unwrap();
        assert_eq!(
            s.text,
            on_disk,
            "{} differs from its dump",
            s.path.display()
        );
    }
    let site = root.join("sites-enabled/chat.example.com");
    assert_eq!(
        findings("nginx-T.txt", &text),
        [format!("{}:5:2 NGX013", site.display())]
    );
}
