#!/usr/bin/env python3
"""A repository-like tree of N files, a tenth of them configuration wscfg checks.

usage: gen_tree.py [N=20000] [OUT=big/tree]
"""
import os
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
out = sys.argv[2] if len(sys.argv) > 2 else "big/tree"
site = """server {{
    listen 80;
    server_name s{i}.example.test;
    location /ws/ {{
        proxy_pass http://127.0.0.1:{port};
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_read_timeout {timeout}s;
    }}
}}
"""
for i in range(n):
    d = os.path.join(out, f"pkg{i // 200}", f"mod{i // 20}")
    os.makedirs(d, exist_ok=True)
    if i % 10 == 0:
        path = os.path.join(d, "conf.d", f"site{i}.conf")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        text = site.format(i=i, port=9000 + i % 100, timeout=60 if i % 20 else 3600)
    else:
        path = os.path.join(d, f"file{i}.py")
        text = f"def f{i}():\n    return {i}\n"
    with open(path, "w") as f:
        f.write(text)
print(out, n, "files")
