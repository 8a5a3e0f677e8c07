//! `nginx -T` output: every file nginx loaded, each after a `# configuration file PATH:` line
//! (`ngx_test_config` in nginx.c writes the marker, the file's bytes, then a line feed). Split
//! back into files, a dump can be linted as exactly what the running nginx read: includes
//! resolve against the dumped files, not against the disk.

use std::path::PathBuf;

const MARKER: &str = "# configuration file ";

/// One file of a dump: its path as nginx opened it, and its bytes in the dump.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub path: PathBuf,
    pub text: String,
}

/// The files of an `nginx -T` dump, in the order nginx read them (the main file first).
/// `None` when the text is not a dump: its first line that is not blank and not one of
/// nginx's own messages (`nginx: the configuration file … syntax is ok`, which `2>&1` puts
/// first) must be a marker.
pub fn split(text: &str) -> Option<Vec<Section>> {
    let mut lines = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        lines.push((at, line));
        at += line.len();
    }
    let first = lines.iter().position(|(_, l)| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with("nginx: ")
    })?;
    marker_path(lines[first].1)?;
    let mut sections: Vec<(PathBuf, usize)> = Vec::new();
    let mut ends = Vec::new();
    for &(start, line) in &lines[first..] {
        if let Some(path) = marker_path(line) {
            ends.push(start);
            sections.push((path, start + line.len()));
        }
    }
    ends.remove(0);
    ends.push(text.len());
    Some(
        sections
            .into_iter()
            .zip(ends)
            .map(|((path, start), end)| {
                let body = &text[start..end.max(start)];
                // The line feed nginx writes after each file.
                let body = body
                    .strip_suffix("\r\n")
                    .or_else(|| body.strip_suffix('\n'))
                    .unwrap_or(body);
                Section {
                    path,
                    text: body.to_owned(),
                }
            })
            .collect(),
    )
}

fn marker_path(line: &str) -> Option<PathBuf> {
    let rest = line.strip_prefix(MARKER)?;
    let rest = rest.trim_end_matches(['\n', '\r']);
    let path = rest.strip_suffix(':')?;
    (!path.is_empty()).then(|| PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_what_nginx_writes() {
        // As written by nginx 1.22.1 for a main file, an included file that ends with a line
        // feed and one that does not; `2>&1` puts the test messages first.
        let dump = "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n\
                    nginx: configuration file /etc/nginx/nginx.conf test is successful\n\
                    # configuration file /etc/nginx/nginx.conf:\n\
                    events {}\nhttp {\n    include conf.d/*.conf;\n}\n\n\
                    # configuration file /etc/nginx/conf.d/app.conf:\n\
                    server {\n    listen 80;\n}\n";
        let s = split(dump).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].path, PathBuf::from("/etc/nginx/nginx.conf"));
        assert_eq!(
            s[0].text,
            "events {}\nhttp {\n    include conf.d/*.conf;\n}\n"
        );
        assert_eq!(s[1].path, PathBuf::from("/etc/nginx/conf.d/app.conf"));
        assert_eq!(s[1].text, "server {\n    listen 80;\n}");
    }

    #[test]
    fn ordinary_files_are_not_dumps() {
        assert!(split("events {}\nhttp {}\n").is_none());
        assert!(split("# a comment\n# configuration file /x:\nevents {}\n").is_none());
        assert!(split("").is_none());
        // CRLF line endings (a dump copied through Windows) still split.
        let s = split("# configuration file /a.conf:\r\nevents {}\r\n\r\n").unwrap();
        assert_eq!(s[0].text, "events {}\r\n");
    }
}
