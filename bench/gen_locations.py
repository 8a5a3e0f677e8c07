#!/usr/bin/env python3
"""One server with N locations, half of them regex (location selection must not be quadratic).

usage: gen_locations.py [N=20000] [OUT=big/locations.conf]
"""
import os
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
out = sys.argv[2] if len(sys.argv) > 2 else "big/locations.conf"
os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
L = ["events {}", "http {",
     "    map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
     "    server {", "        listen 127.0.0.1:8080;"]
for i in range(n):
    if i % 2:
        L.append(f"        location ~ ^/r{i}/(?<id>[0-9]+)$ {{ proxy_pass http://127.0.0.1:9000; }}")
    elif i % 10 == 0:
        L += [f"        location /app{i}/ws/ {{",
              "            proxy_pass http://127.0.0.1:9000;",
              "            proxy_http_version 1.1;",
              "            proxy_set_header Upgrade $http_upgrade;",
              "            proxy_set_header Connection $connection_upgrade;",
              "        }"]
    else:
        L.append(f"        location /p{i}/ {{ proxy_pass http://127.0.0.1:9000; }}")
L += ["    }", "}"]
with open(out, "w") as f:
    f.write("\n".join(L) + "\n")
print(out, len(L), "lines")
