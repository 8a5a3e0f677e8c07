#!/usr/bin/env bash
# Proves the Python packaging without Rust at the user's end:
# 1. builds the wheel (maturin, `bindings = "bin"`; maturin from PyPI into target/wheel-tools);
# 2. installs it into a fresh virtual environment and, with only that environment on PATH (no
#    cargo, no rustc), runs `wscfg --version`, `wscfg check examples/` (exit 1: the examples
#    are broken on purpose) and `wscfg explain NGX001` (the rule pages are inside the binary);
# 3. runs the wheel-based pre-commit hook documented in README.md (`language: python`,
#    `additional_dependencies: ["wscfg==VERSION"]`) with the real pre-commit, which installs the
#    wheel through PIP_FIND_LINKS: the hook fails on a broken nginx file and passes once fixed.
# 4. runs the install step of action.yml with no wscfg on PATH: it installs the wheel (here
#    from the local build through PIP_FIND_LINKS, with PyPI switched off) and puts only wscfg on
#    the PATH of later steps.
# Prints the wheel's size and the time of the install and of the first pre-commit run.
#
# WSCFG_WHEEL_PROFILE=dev (what .ci/run uses) packs the debug binary `cargo test` already built,
# so CI does not compile a release build; the default is release, what a release ships.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
profile=${WSCFG_WHEEL_PROFILE:-release}
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
    echo "scripts/wheel-test.sh: FAILED: $*" >&2
    exit 1
}
# Seconds since $1 (from `now`), to one decimal.
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

tools=target/wheel-tools
if [ ! -x "$tools/bin/maturin" ]; then
    python3 -m venv "$tools"
    "$tools/bin/pip" install -q --disable-pip-version-check "maturin==1.16.0" "pyyaml==6.0.2"
fi
wheels="target/wheels/$profile"
rm -rf "$wheels"
t=$(now)
# python/pyproject.toml (see there why not at the root) points maturin at ../Cargo.toml.
(cd python && "$repo/$tools/bin/maturin" build --locked --profile "$profile" --out "$repo/$wheels") \
    >"$work/maturin.log" 2>&1 \
    || { cat "$work/maturin.log" >&2; fail "maturin build"; }
wheel=$(ls "$wheels"/wscfg-"$version"-*.whl)
echo "wheel: $(basename "$wheel"), $(du -k "$wheel" | cut -f1) KiB, built in $(since "$t") s ($profile)"

# 2. A fresh environment; from here on PATH holds only its bin directory.
python3 -m venv "$work/venv"
t=$(now)
"$work/venv/bin/pip" install -q --disable-pip-version-check --no-index "$wheel"
echo "pip install of the wheel into a fresh venv: $(since "$t") s"
bare() { env -i HOME="$work" PATH="$work/venv/bin" NO_COLOR=1 "$@"; }
(PATH="$work/venv/bin" && command -v cargo || command -v rustc) && fail "Rust is on the bare PATH"
(PATH="$work/venv/bin" && command -v wscfg >/dev/null) || fail "wscfg is not on the bare PATH"
[ "$(bare wscfg --version)" = "wscfg $version" ] || fail "wscfg --version: $(bare wscfg --version)"
set +e
bare wscfg check --output-format concise examples/ >"$work/check.txt" 2>&1
code=$?
set -e
[ "$code" -eq 1 ] || { cat "$work/check.txt" >&2; fail "wscfg check examples/ exited $code, not 1"; }
grep -q 'NGX001' "$work/check.txt" || fail "wscfg check examples/ did not report NGX001"
bare wscfg explain NGX001 >"$work/explain.txt" || fail "wscfg explain NGX001"
grep -q 'proxy_http_version 1.1;' "$work/explain.txt" || fail "the NGX001 page is not in the binary"
echo "installed wheel without Rust: --version, check examples/ (exit 1), explain NGX001: ok"

# 3. The README's wheel-based hook, verbatim, in a throwaway repository.
config=$(awk '/<!-- pre-commit-python -->/ { on = 1; next } on && /^```yaml/ { inside = 1; next }
              inside && /^```/ { exit } inside { print }' README.md)
[ -n "$config" ] || fail "README.md has no <!-- pre-commit-python --> yaml block"
grep -q "wscfg==$version" <<<"$config" || fail "the README hook pins another version than $version"
if ! command -v pre-commit >/dev/null 2>&1; then
    fail "pre-commit is not installed: pip install pre-commit (.ci/run does)"
fi
sample="$work/sample"
mkdir -p "$sample/deploy"
cd "$sample"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 PRE_COMMIT_COLOR=never
export GIT_AUTHOR_NAME=wscfg GIT_AUTHOR_EMAIL=wscfg@example.invalid
export GIT_COMMITTER_NAME=wscfg GIT_COMMITTER_EMAIL=wscfg@example.invalid
export PRE_COMMIT_HOME="$work/pre-commit-home" PIP_FIND_LINKS="$repo/$wheels"
git init -q .
printf '%s\n' "$config" >.pre-commit-config.yaml
printf 'server {\n    listen 80;\n    location /ws/ {\n        proxy_pass http://app:8080;\n    }\n}\n' \
    >deploy/nginx.conf
git add -A
git commit -qm sample
t=$(now)
if pre-commit run --all-files >"$work/run1.txt" 2>&1; then
    cat "$work/run1.txt" >&2
    fail "the hook passed on a broken nginx file"
fi
echo "first pre-commit run (creates the hook environment from the wheel): $(since "$t") s"
grep -q 'NGX001' "$work/run1.txt" || { cat "$work/run1.txt" >&2; fail "the hook did not report NGX001"; }
"$work/venv/bin/wscfg" fix --unsafe-fixes deploy/nginx.conf >/dev/null 2>&1 || true
git add -A
t=$(now)
pre-commit run --all-files >"$work/run2.txt" 2>&1 || { cat "$work/run2.txt" >&2; fail "the hook fails on the fixed file"; }
echo "second pre-commit run: $(since "$t") s"
echo "pre-commit: the wheel-based hook failed on the broken file and passed once it was fixed"

# 4. The GitHub Action's install step, as the runner would run it, on a PATH without wscfg.
cd "$repo"
runner="$work/runner"
mkdir -p "$runner/tool-cache"
: >"$runner/path"
: >"$runner/output"
"$tools/bin/python" -c '
import sys, yaml
steps = yaml.safe_load(open("action.yml"))["runs"]["steps"]
print(next(s for s in steps if s.get("id") == "install")["run"])' >"$runner/install.sh"
t=$(now)
env -i HOME="$runner" PATH="$(dirname "$(command -v python3)"):/usr/bin:/bin" \
    RUNNER_TOOL_CACHE="$runner/tool-cache" RUNNER_OS=Linux \
    GITHUB_PATH="$runner/path" GITHUB_OUTPUT="$runner/output" WSCFG_SOURCE="$repo" \
    PIP_NO_INDEX=1 PIP_FIND_LINKS="$repo/$wheels" \
    bash -e "$runner/install.sh" >"$runner/log" 2>&1 || { cat "$runner/log" >&2; fail "the action's install step"; }
grep -qx 'source=wheel' "$runner/output" || { cat "$runner/log" "$runner/output" >&2; fail "the action did not install the wheel"; }
action_bin=$(cat "$runner/path")
[ "$(ls "$action_bin")" = wscfg ] || fail "the action puts more than wscfg on PATH: $(ls "$action_bin")"
[ "$("$action_bin/wscfg" --version)" = "wscfg $version" ] || fail "the action's wscfg is not $version"
echo "GitHub Action install step: wheel installed in $(since "$t") s, only wscfg added to PATH"
