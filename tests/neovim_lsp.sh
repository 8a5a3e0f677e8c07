#!/usr/bin/env bash
# Drives `wscfg server` from a real editor: Neovim (≥ 0.7, built-in LSP client) headless.
# Usage: tests/neovim_lsp.sh [path/to/wscfg]   (default: $WSCFG_BIN, else target/debug/wscfg)
# Prints what Neovim saw; exits non-zero if any step failed or nvim is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${1:-${WSCFG_BIN:-$here/../target/debug/wscfg}}"
if ! command -v nvim >/dev/null 2>&1; then
    echo "FAIL: nvim not found; install Neovim >= 0.7 (Debian: apt-get install -y neovim)" >&2
    exit 3
fi
if [ ! -x "$bin" ]; then
    echo "FAIL: wscfg binary not found at $bin (cargo build first, or pass its path)" >&2
    exit 3
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Non-ASCII before the insertion point, so UTF-16 columns differ from bytes and characters.
cat > "$work/nginx.conf" <<'CONF'
events {}
http {
    server {
        listen 8080;
        location /ws/ { # ünïcödé 🚀
            proxy_pass http://127.0.0.1:9000; # → backend 🚀
        }
    }
}
CONF

nvim --version | head -1
cd "$work"
status=0
WSCFG_BIN="$bin" WSCFG_ROOT="$work" WSCFG_FILE="$work/nginx.conf" \
    timeout 120 nvim --headless --clean -n -i NONE -u NONE \
    -c "luafile $here/neovim_lsp.lua" </dev/null || status=$?
if [ "$status" -ne 0 ]; then
    echo "FAIL: nvim exited with status $status" >&2
    exit 1
fi
# What Neovim wrote must lint clean with the CLI as well.
"$bin" check "$work/nginx.conf" >/dev/null
echo "neovim: wscfg server round trip OK"
