#!/usr/bin/env bash
# Runs every fuzz target for a bounded time: `fuzz/run.sh [SECONDS] [TARGET...]` (default 60
# seconds each, every target). Seeds come from fixtures/, tests/corpus/ and ../shared/corpus
# (when present); inputs that found new coverage accumulate in fuzz/corpus/<target>/ and
# crashes land in fuzz/artifacts/<target>/ (turn each into a regression under
# fuzz/regressions/<target>/: `cargo test --test fuzz_regressions` replays them on stable).
#
# cargo-fuzz drives libFuzzer, on stable Rust with `--sanitizer none` (coverage-guided all the
# same); WSCFG_FUZZ_SANITIZER=address uses nightly and ASan. cargo-fuzz itself is installed
# from crates.io when missing.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-60}
shift || true
# WSCFG_FUZZ_SEED fixes libFuzzer's random seed, so a run (CI's) explores the same inputs every
# time for the same code and a crash it reports is reproducible with the same command; unset,
# every run explores afresh.
seed_arg=()
if [ -n "${WSCFG_FUZZ_SEED:-}" ]; then
  seed_arg=(-seed="$WSCFG_FUZZ_SEED")
fi

# Coverage-guided libFuzzer works on stable; AddressSanitizer needs nightly and costs ~15x
# the executions per second, for no gain on a crate without `unsafe` code. So: stable, no
# sanitizer, unless WSCFG_FUZZ_SANITIZER=address (then nightly).
sanitizer=${WSCFG_FUZZ_SANITIZER:-none}
if [ "$sanitizer" = none ]; then
  toolchain=()
else
  toolchain=(+nightly)
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

# Seeds: every nginx file the repository (and the shared corpus) has.
seeds=seeds/nginx
rm -rf "$seeds" && mkdir -p "$seeds"
for dir in ../fixtures ../tests/corpus ../../shared/corpus; do
  [ -d "$dir" ] || continue
  find "$dir" -type f \( -name '*.conf' -o -name '*.nginx' -o -name 'nginx.conf*' -o -path '*sites-*' -o -name '*.types' \) -size -64k -print0 |
    while IFS= read -r -d '' f; do cp "$f" "$seeds/$(sha1sum "$f" | cut -c1-16)"; done
done
# Manifests: the first byte picks the format (0 fly.toml, 1 railway.toml, 2 railway.json,
# 3 apprunner.yaml; the parse target also reads 5 requirements, 6 pyproject, 7 Pipfile,
# 8 lock files, 9 package.json).
mseeds=seeds/manifest
rm -rf "$mseeds" && mkdir -p "$mseeds"
prefixed() { # BYTE FILE
  { printf "\\$(printf %03o "$1")"; cat "$2"; } >"$mseeds/$1-$(sha1sum "$2" | cut -c1-16)"
}
for dir in ../fixtures ../tests/corpus ../../shared/corpus; do
  [ -d "$dir" ] || continue
  while IFS= read -r -d '' f; do
    case "$f" in
      *fly*.toml|*/fly/*.toml) prefixed 0 "$f" ;;
      *railway*.toml|*/railway/*.toml) prefixed 1 "$f" ;;
      *.json) prefixed 2 "$f"; prefixed 9 "$f" ;;
      *.yaml|*.yml) prefixed 3 "$f" ;;
    esac
    case "$(basename "$f")" in
      requirements*.txt) prefixed 5 "$f" ;;
      pyproject.toml) prefixed 6 "$f" ;;
      Pipfile) prefixed 7 "$f" ;;
      *.lock) prefixed 8 "$f" ;;
    esac
  done < <(find "$dir" -type f -size -64k -print0)
done
# Terraform: every .tf and .tf.json file (the fixtures of the App Runner, Cloud Run and AWS rules).
tseeds=seeds/terraform
rm -rf "$tseeds" && mkdir -p "$tseeds"
for dir in ../fixtures ../tests/corpus ../../shared/corpus; do
  [ -d "$dir" ] || continue
  find "$dir" -type f \( -name '*.tf' -o -name '*.tf.json' \) -size -64k -print0 |
    while IFS= read -r -d '' f; do cp "$f" "$tseeds/$(sha1sum "$f" | cut -c1-16)"; done
done
[ -d regressions/terraform ] && cp regressions/terraform/* "$tseeds/" 2>/dev/null || true
for dir in regressions/nginx_*/; do
  [ -d "$dir" ] && cp "$dir"* "$seeds/" 2>/dev/null || true
done
for dir in regressions/manifest_*/; do
  [ -d "$dir" ] && cp "$dir"* "$mseeds/" 2>/dev/null || true
done

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo "${toolchain[@]}" fuzz list)
fi
mkdir -p logs
failed=()
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  echo "== $t: ${secs}s (sanitizer: $sanitizer)"
  case "$t" in
    nginx_*) seed=$seeds dict=nginx.dict ;;
    terraform) seed=$tseeds dict=terraform.dict ;;
    lsp_frames) seed=regressions/lsp_frames dict=lsp.dict ;;
    *) seed=$mseeds dict=manifest.dict ;;
  esac
  if cargo "${toolchain[@]}" fuzz run -s "$sanitizer" -O "$t" "corpus/$t" "$seed" -- \
      -dict="$dict" -max_total_time="$secs" -max_len=65536 -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 "${seed_arg[@]}" >"logs/$t.log" 2>&1; then
    :
  else
    failed+=("$t")
  fi
  grep -E '^INFO: Seed:|^stat::(number_of_executed_units|peak_rss_mb)|^Done|SUMMARY' "logs/$t.log" || true
  # The panic message is what a reader of CI's output needs to file the bug.
  grep -A4 'panicked at' "logs/$t.log" | head -20 || true
  echo "   corpus: $(ls "corpus/$t" | wc -l) inputs; log: fuzz/logs/$t.log"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "crashes in: ${failed[*]} (see fuzz/artifacts/)"
  exit 1
fi
