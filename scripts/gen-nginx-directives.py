#!/usr/bin/env python3
"""Generates src/formats/nginx/directives.tsv, nginx's directive table, from nginx's sources.

Every `ngx_command_t` array of every release tag from 1.18.0 on is read from a git clone of
github.com/nginx/nginx (BSD-2-Clause); third-party module repositories (their HEAD) add the
directives `[nginx] modules = [...]` declares. A row is one directive as one module defines it
in a run of releases:

    name  module  module-type  flags  duplicate  versions

- module-type: CORE, CONF, EVENT, HTTP, STREAM, MAIL (ngx_module_t's type: nginx only looks a
  directive up in modules of the type of the block it is in, see ngx_conf_handler).
- flags: the `type` field of ngx_command_t without the NGX_ and NGX_CONF_ prefixes,
  `|`-separated: contexts (HTTP_LOC_CONF, MAIN_CONF, ANY_CONF, ...) and argument flags
  (NOARGS, TAKE1 ... TAKE7, TAKE12, 1MORE, 2MORE, FLAG, BLOCK, ANY).
- duplicate: `slot` when the handler is one of the ngx_conf_set_*_slot setters that return
  "is duplicate" when the value is already set (core/ngx_conf_file.c, core/ngx_file.c);
  `handler` when a custom handler refuses any second use in the same block (DUPLICATE_TEST
  and HANDLER_DUPLICATES below); `-` otherwise.
- versions: ranges of indexes into the `#versions` header line (`0-12,15-40`); third-party
  rows have `*` (all versions: the module's own release decides).

Usage: scripts/gen-nginx-directives.py NGINX_GIT_DIR [NAME=THIRD_PARTY_GIT_DIR ...] > OUT

The table in the repository was made from clones of github.com/nginx/nginx (tags up to
release-1.31.4), openresty/lua-nginx-module, openresty/headers-more-nginx-module,
google/ngx_brotli, nginx/njs and leev/ngx_http_geoip2_module (all BSD-licensed), as:

    scripts/gen-nginx-directives.py nginx lua=lua-nginx-module \
        headers-more=headers-more-nginx-module brotli=ngx_brotli njs=njs \
        geoip2=ngx_http_geoip2_module > src/formats/nginx/directives.tsv
"""

import re
import subprocess
import sys

FIRST = (1, 18, 0)

# Setters from the core that refuse a value already set ("is duplicate"): ngx_conf_file.c
# (flag, str, num, size, off, msec, sec, bufs, enum) and ngx_file.c (path, access).
# str_array, keyval and bitmask append or merge and accept repeats.
DUPLICATE_SLOTS = {
    "ngx_conf_set_flag_slot",
    "ngx_conf_set_str_slot",
    "ngx_conf_set_num_slot",
    "ngx_conf_set_size_slot",
    "ngx_conf_set_off_slot",
    "ngx_conf_set_msec_slot",
    "ngx_conf_set_sec_slot",
    "ngx_conf_set_bufs_slot",
    "ngx_conf_set_enum_slot",
    "ngx_conf_set_path_slot",
    "ngx_conf_set_access_slot",
    # http/ngx_http_script.c: `if (*cv != NULL) return "is duplicate";`
    "ngx_http_set_complex_value_slot",
    "ngx_http_set_complex_value_zero_slot",
    "ngx_http_set_complex_value_size_slot",
    # stream/ngx_stream_script.c: the same for stream.
    "ngx_stream_set_complex_value_slot",
    "ngx_stream_set_complex_value_zero_slot",
    "ngx_stream_set_complex_value_size_slot",
}

# A custom handler refuses a second use in the same block when its body opens with an
# unconditional test of the value it sets, `if (x) { return "is duplicate"; }` at the top
# level of the function (ngx_http_proxy_pass, ngx_http_block, ngx_event_connections, ...):
# DUPLICATE_TEST finds those. Tests against the default value itself are not a refusal of
# every repeat: `worker_priority 0;` twice passes ngx_set_priority's `ccf->priority != 0`,
# and `proxy_redirect`'s `plcf->redirect == 0` only refuses a value after `off`.
DUPLICATE_TEST = re.compile(r'\n    if \(([^\n]*)\) \{\n        return "is duplicate";\n    \}')
NOT_A_REPEAT_TEST = re.compile(r"== 0|== NULL|!= 0\b|shm_zone")

# Handlers whose duplicate test is nested, read by hand.
HANDLER_DUPLICATES = {
    # http/ngx_http_core_module.c, ngx_http_core_root: `root` twice (or `alias` twice) is
    # "is duplicate"; the other of the pair after one is refused with its own message.
    "ngx_http_core_root",
}


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, **kw).stdout


def version_tags(git):
    tags = []
    for t in run("git", "-C", git, "tag").decode().split():
        m = re.fullmatch(r"release-(\d+)\.(\d+)\.(\d+)", t)
        if m:
            v = tuple(int(x) for x in m.groups())
            if v >= FIRST:
                tags.append((v, t))
    return sorted(tags)


class Blobs:
    """Reads blobs through one `git cat-file --batch`."""

    def __init__(self, git):
        self.p = subprocess.Popen(
            ["git", "-C", git, "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def read(self, oid):
        self.p.stdin.write(oid.encode() + b"\n")
        self.p.stdin.flush()
        header = self.p.stdout.readline().split()
        size = int(header[2])
        data = self.p.stdout.read(size)
        self.p.stdout.read(1)
        return data.decode("latin-1")


def c_files(git, rev):
    out = run("git", "-C", git, "ls-tree", "-r", rev).decode()
    for line in out.splitlines():
        meta, path = line.split("\t", 1)
        if path.endswith(".c"):
            yield path, meta.split()[2]


COMMANDS = re.compile(r"ngx_command_t\s+(\w+)\s*\[\s*\]\s*=\s*\{(.*?)ngx_null_command", re.S)
ENTRY = re.compile(
    r"\{\s*ngx_string\(\s*\"([^\"]*)\"\s*\)\s*,\s*([^,]+?)\s*,\s*(\w+)\s*,", re.S
)
MODULE = re.compile(
    r"ngx_module_t\s+(\w+)\s*=\s*\{\s*NGX_MODULE_V1\s*,\s*[^,]+,\s*(\w+)\s*,\s*(\w+)\s*,", re.S
)
FUNCTION = re.compile(r"^(\w+)\(ngx_conf_t \*cf, ngx_command_t \*cmd, void \*conf\)\n\{", re.M)
MODULE_TYPES = {
    "NGX_CORE_MODULE": "CORE",
    "NGX_CONF_MODULE": "CONF",
    "NGX_EVENT_MODULE": "EVENT",
    "NGX_HTTP_MODULE": "HTTP",
    "NGX_STREAM_MODULE": "STREAM",
    "NGX_MAIL_MODULE": "MAIL",
}


def strip_comments(src):
    return re.sub(r"/\*.*?\*/", "", src, flags=re.S)


def flag_name(token):
    """`NGX_HTTP_LOC_CONF` -> `HTTP_LOC_CONF` (a context), `NGX_CONF_TAKE12` -> `TAKE12`."""
    token = token.strip()
    if not token.startswith("NGX_"):
        raise ValueError(f"unexpected flag {token!r}")
    return token[len("NGX_"):].removeprefix("CONF_")


def directives_of(src):
    """(name, module, module type, flags, duplicate) of every command in one C file."""
    src = strip_comments(src)
    modules = {}
    for m in MODULE.finditer(src):
        name, commands, mtype = m.groups()
        if mtype in MODULE_TYPES:
            modules[commands] = (name, MODULE_TYPES[mtype])
    refusing = refusing_handlers(src)
    out = []
    for m in COMMANDS.finditer(src):
        array, body = m.groups()
        if array not in modules:
            continue
        module, mtype = modules[array]
        for e in ENTRY.finditer(body):
            name, flags, handler = e.groups()
            flags = "|".join(sorted(flag_name(f) for f in flags.split("|")))
            out.append((name, module, mtype, flags, duplicate(handler, refusing)))
    return out


def refusing_handlers(src):
    """Handlers in one C file that refuse every second use (see DUPLICATE_TEST)."""
    out = set()
    for m in FUNCTION.finditer(src):
        end = src.find("\n}", m.end())
        body = src[m.end() : end]
        test = DUPLICATE_TEST.search(body)
        if test and not NOT_A_REPEAT_TEST.search(test.group(1)):
            out.add(m.group(1))
    return out


def duplicate(handler, refusing):
    if handler in DUPLICATE_SLOTS:
        return "slot"
    if handler in HANDLER_DUPLICATES or handler in refusing:
        return "handler"
    return "-"


def ranges(indexes):
    out, start, prev = [], None, None
    for i in sorted(indexes):
        if start is None:
            start = prev = i
        elif i == prev + 1:
            prev = i
        else:
            out.append((start, prev))
            start = prev = i
    if start is not None:
        out.append((start, prev))
    return ",".join(f"{a}-{b}" for a, b in out)


def main():
    nginx = sys.argv[1]
    third = [a.split("=", 1) for a in sys.argv[2:]]
    tags = version_tags(nginx)
    blobs = Blobs(nginx)
    parsed = {}
    rows = {}
    for i, (_, tag) in enumerate(tags):
        for path, oid in c_files(nginx, tag):
            if not path.startswith("src/"):
                continue
            if oid not in parsed:
                parsed[oid] = directives_of(blobs.read(oid))
            for name, module, mtype, flags, dup in parsed[oid]:
                key = (name, module, mtype, flags, dup)
                rows.setdefault(key, set()).add(i)
    lines = ["#versions " + " ".join("%d.%d.%d" % v for v, _ in tags)]
    for key in sorted(rows):
        lines.append("\t".join(key + (ranges(rows[key]),)))
    for label, git in third:
        head = run("git", "-C", git, "rev-parse", "HEAD").decode().strip()
        lines.append(f"#module {label} {head}")
        seen = set()
        blobs = Blobs(git)
        for path, oid in c_files(git, "HEAD"):
            for name, _, mtype, flags, dup in directives_of(blobs.read(oid)):
                key = (name, label, mtype, flags, dup)
                if key not in seen:
                    seen.add(key)
                    lines.append("\t".join(key + ("*",)))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
