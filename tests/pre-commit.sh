#!/usr/bin/env bash
# Proves .pre-commit-hooks.yaml with the real pre-commit tool: in a throwaway git repository
# holding a broken nginx file (and a .conf file of another tool), `pre-commit try-repo` with
# this repository runs the `wscfg` hook, which fails, and the `wscfg-fix` hook, which fixes the
# file; a second run then passes both hooks.
#
# pre-commit builds wscfg with `cargo install` (language: rust) for each try-repo. To keep that
# bounded the build goes to a persistent target directory ($WSCFG_PRE_COMMIT_TARGET, default
# target/pre-commit) at opt-level 0; the hooks and the install path are the real ones.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if ! command -v pre-commit >/dev/null 2>&1; then
    echo "tests/pre-commit.sh: pre-commit is not installed; run: pip install pre-commit" >&2
    exit 127
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="${WSCFG_PRE_COMMIT_TARGET:-$repo_root/target/pre-commit}"
export CARGO_PROFILE_RELEASE_OPT_LEVEL=0
export CARGO_PROFILE_RELEASE_LTO=false
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
export PRE_COMMIT_HOME="$work/pre-commit-home"
export PRE_COMMIT_COLOR=never
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=wscfg GIT_AUTHOR_EMAIL=wscfg@example.invalid
export GIT_COMMITTER_NAME=wscfg GIT_COMMITTER_EMAIL=wscfg@example.invalid

sample="$work/sample"
mkdir -p "$sample/deploy"
cd "$sample"
git init -q .
cat > deploy/nginx.conf <<'NGINX'
events {}
http {
    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }
    server {
        listen 80;
        server_name chat.example.com;
        location /ws/ {
            proxy_pass http://chat:8080;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
        }
    }
}
NGINX
cat > deploy/supervisord.conf <<'INI'
[program:chat]
command=/usr/local/bin/chat --port 8080
INI
cp deploy/nginx.conf "$work/original.conf"
git add -A
git commit -qm "sample"

fail() {
    echo "tests/pre-commit.sh: FAILED: $1" >&2
    echo "----- pre-commit output -----" >&2
    cat "$2" >&2
    exit 1
}

# Run 1: the check hook fails on the broken file; the fix hook rewrites it (pre-commit then
# fails that hook too, because it modified files).
if pre-commit try-repo "$repo_root" --all-files >"$work/run1.txt" 2>&1; then
    fail "the first run passed, but deploy/nginx.conf is broken" "$work/run1.txt"
fi
grep -Eq '^wscfg\.+Failed' "$work/run1.txt" || fail "the wscfg hook did not fail" "$work/run1.txt"
grep -q 'NGX001' "$work/run1.txt" || fail "the wscfg hook did not report NGX001" "$work/run1.txt"
grep -Eq '^wscfg \(fix\)\.+Failed' "$work/run1.txt" || fail "the wscfg-fix hook did not run" "$work/run1.txt"
grep -q 'files were modified by this hook' "$work/run1.txt" \
    || fail "the wscfg-fix hook changed nothing" "$work/run1.txt"
grep -q 'proxy_http_version 1.1;' deploy/nginx.conf || fail "no fix in deploy/nginx.conf" "$work/run1.txt"
grep -q 'supervisord' "$work/run1.txt" && fail "supervisord.conf was reported" "$work/run1.txt"
if cmp -s deploy/nginx.conf "$work/original.conf"; then
    fail "deploy/nginx.conf is unchanged" "$work/run1.txt"
fi
git add -A

# Run 2: both hooks pass on the fixed file.
if ! pre-commit try-repo "$repo_root" --all-files >"$work/run2.txt" 2>&1; then
    fail "the hooks still fail after wscfg-fix" "$work/run2.txt"
fi
grep -Eq '^wscfg\.+Passed' "$work/run2.txt" || fail "the wscfg hook did not pass" "$work/run2.txt"
grep -Eq '^wscfg \(fix\)\.+Passed' "$work/run2.txt" || fail "the wscfg-fix hook did not pass" "$work/run2.txt"

echo "pre-commit: wscfg failed on the broken file, wscfg-fix fixed it, then both hooks passed"
