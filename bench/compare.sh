#!/usr/bin/env bash
# Side-by-side benchmark of wscfg against nginx -t and gixy-ng on the same generated inputs.
# Installs what is missing (nginx-light and hyperfine from Debian, gixy-ng into a virtualenv
# from PyPI), then prints a table: tool, input, median wall time, peak RSS, ratio to wscfg
# on the same input (how many times wscfg's time the tool takes).
#
# usage: bench/compare.sh [N_SERVERS=5000]    (run from the repository root)
# Linters exit non-zero when they find problems; hyperfine is told to accept that (-i).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-5000}
WORK=${WORK:-bench/big}
mkdir -p "$WORK"

need_apt=()
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_apt+=(nginx-light)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$WORK/venv/bin/gixy" ]; then
  python3 -m venv "$WORK/venv" && "$WORK/venv/bin/pip" install -q gixy-ng
fi
cargo build --release -q
WSCFG=target/release/wscfg

python3 bench/gen_nginx.py "$N" "$WORK/nginx.conf" "$(pwd)/$WORK" >/dev/null
python3 bench/gen_nginx.py "$((N * 10))" "$WORK/x10/nginx.conf" "$(pwd)/$WORK/x10" >/dev/null
python3 bench/gen_locations.py 20000 "$WORK/locations.conf" >/dev/null
[ -d "$WORK/tree" ] || python3 bench/gen_tree.py 20000 "$WORK/tree" >/dev/null
printf 'server {\n    listen 80;\n    location /ws/ { proxy_pass http://a; }\n}\n' > "$WORK/small.conf"

rss() { /usr/bin/time -f %M "$@" >/dev/null 2>"$WORK/rss" || true; tail -1 "$WORK/rss"; }
mean() { # hyperfine median in seconds (the name is historical)
  hyperfine -N -i --warmup "$1" --runs "$2" --export-json "$WORK/h.json" "${@:3}" >/dev/null 2>&1 || true
  python3 -c "import json;print('%.4f'%json.load(open('$WORK/h.json'))['results'][0]['median'])"
}

declare -a rows
add() { rows+=("$1|$2|$3|$4"); }
w=$(mean 2 10 "$WSCFG check $WORK/nginx.conf --output-format json --exit-zero")
add wscfg "nginx.conf ($N servers)" "$w" "$(rss $WSCFG check $WORK/nginx.conf --output-format json --exit-zero)"
n=$(mean 1 5 "$NGINX -t -q -p $(pwd)/$WORK -c $(pwd)/$WORK/nginx.conf")
add "nginx -t" "nginx.conf ($N servers)" "$n" "$(rss $NGINX -t -q -p "$(pwd)/$WORK" -c "$(pwd)/$WORK/nginx.conf")"
g=$(mean 0 1 "$WORK/venv/bin/gixy $WORK/nginx.conf")
add gixy-ng "nginx.conf ($N servers)" "$g" "$(rss "$WORK/venv/bin/gixy" "$WORK/nginx.conf")"
w10=$(mean 1 5 "$WSCFG check $WORK/x10/nginx.conf --output-format json --exit-zero")
add wscfg "nginx.conf ($((N * 10)) servers)" "$w10" "$(rss $WSCFG check $WORK/x10/nginx.conf --output-format json --exit-zero)"
l=$(mean 2 10 "$WSCFG check $WORK/locations.conf --output-format json --exit-zero")
add wscfg "1 server, 20000 locations" "$l" "$(rss $WSCFG check $WORK/locations.conf --output-format json --exit-zero)"
t=$(mean 2 10 "$WSCFG check $WORK/tree --output-format json --exit-zero")
add wscfg "tree of 20000 files" "$t" "$(rss $WSCFG check $WORK/tree --output-format json --exit-zero)"
s=$(mean 5 50 "$WSCFG check $WORK/small.conf --exit-zero")
add wscfg "one small file" "$s" "$(rss $WSCFG check $WORK/small.conf --exit-zero)"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| %-8s | %-26s | %10s | %8s | %9s |\n' tool input "median (s)" "peak RSS" "vs wscfg"
printf '|%s|%s|%s|%s|%s|\n' ---------- ---------------------------- ------------ ---------- -----------
for r in "${rows[@]}"; do
  IFS='|' read -r tool input secs kb <<<"$r"
  ratio=$(python3 -c "print('%.1fx' % ($secs / $w))")
  case "$tool:$input" in wscfg:*) ratio="1x" ;; esac
  printf '| %-8s | %-26s | %10s | %5s MB | %9s |\n' "$tool" "$input" "$secs" "$((kb / 1024))" "$ratio"
done
python3 - "$w" "$n" "$g" "$w10" "$WORK/nginx.conf" "${rows[0]##*|}" <<'PY'
import os, sys
w, n, g, w10 = map(float, sys.argv[1:5])
size, rss_kb = os.path.getsize(sys.argv[5]), int(sys.argv[6])
print(f"\nnginx -t / wscfg: {n / w:.1f}x   gixy-ng / wscfg: {g / w:.0f}x   "
      f"10x input costs {w10 / w:.1f}x the time   "
      f"wscfg peak RSS / input size: {rss_kb * 1024 / size:.1f}x")
PY
