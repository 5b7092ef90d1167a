#!/usr/bin/env bash
# Fuzz planeval for a while (tests/fuzz/README.md).
#
#   tests/fuzz/run.sh [SECONDS_PER_HARNESS] [HARNESS ...]
#
# Builds the libFuzzer harnesses with clang (build/fuzz: PLANEVAL_FUZZ=ON, ASan + UBSan) and runs
# each for SECONDS_PER_HARNESS (default 600), then the Excel fuzzer (excel_fuzz.py) as long.
# HARNESS: plan, csv, expression, standard, excel (default: all). Installs clang and its libFuzzer
# runtime first if needed (.ci/setup with PLANEVAL_WITH_CLANG=1; root).
#
# Each harness starts from its seeds (tests/fuzz/corpus/<name>) plus what earlier runs found
# interesting (build/fuzz/corpus/<name>, kept between runs; new inputs are written there, the
# committed seeds are never changed). The saved regressions (tests/fuzz/regressions/<name>) are not
# fuzzed from: one not yet fixed would stop the run at once; ctest replays them.
# Anything found (crash, property failure, leak, timeout, out-of-memory) is written to
# tests/fuzz/findings/<name>/ (git-ignored); the exit status is then 1.
#
# Environment: PLANEVAL_FUZZ_FLAGS adds libFuzzer flags (e.g. "-jobs=2 -workers=2", "-max_len=20000");
# PLANEVAL_FUZZ_SEED seeds libFuzzer and the Excel fuzzer (default: random).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds="${1:-600}"
shift || true
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: tests/fuzz/run.sh [SECONDS_PER_HARNESS] [plan|csv|expression|standard|excel ...]" >&2
  exit 2
fi
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] && harnesses=(plan csv expression standard excel)

# clang with libFuzzer (and the virtual environment for the Excel fuzzer), unless the caller (.ci/test) set them up.
if [ -z "${PLANEVAL_CLANGXX:-}" ]; then
  export PLANEVAL_WITH_CLANG=1
  # shellcheck source=../../.ci/setup
  . "$ROOT/.ci/setup"
fi
VENV="${PLANEVAL_VENV:-$ROOT/.venv}"
cd "$ROOT"
say() { printf '[planeval fuzz] %s\n' "$*" >&2; }

cxx_targets=()
for h in "${harnesses[@]}"; do
  case "$h" in
    plan | csv | expression | standard) cxx_targets+=("fuzz_$h") ;;
    excel) ;;
    *) echo "unknown harness: $h (plan, csv, expression, standard, excel)" >&2; exit 2 ;;
  esac
done

if [ ${#cxx_targets[@]} -gt 0 ]; then
  say "configure and build ${cxx_targets[*]} (build/fuzz, $PLANEVAL_CLANGXX, -fsanitize=fuzzer,address,undefined)"
  cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER="$PLANEVAL_CLANGXX" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" -DPLANEVAL_FUZZ=ON -DPLANEVAL_BUILD_TESTS=OFF \
    -DPLANEVAL_BUILD_EXAMPLES=OFF -DPLANEVAL_INSTALL=OFF -DCMAKE_CXX_SCAN_FOR_MODULES=OFF >/dev/null
  cmake --build build/fuzz -j "${PLANEVAL_JOBS:-2}" --target "${cxx_targets[@]}"
fi

# ASan's and UBSan's reports; libFuzzer turns each into a saved input and a non-zero exit. The
# symbolizer of the same LLVM as the compiler (llvm-<version>) names the functions in them.
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ]; then
  symbolizer="$(dirname "$(readlink -f "$PLANEVAL_CLANGXX")")/llvm-symbolizer"
  [ -x "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH="$symbolizer"
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=()
for h in "${harnesses[@]}"; do
  findings="tests/fuzz/findings/$h"
  mkdir -p "$findings"
  if [ "$h" = excel ]; then
    say "excel: $seconds s"
    seed_args=()
    [ -n "${PLANEVAL_FUZZ_SEED:-}" ] && seed_args=(--seed "$PLANEVAL_FUZZ_SEED")
    "$VENV/bin/python" tests/fuzz/excel_fuzz.py --seconds "$seconds" --findings "$findings" "${seed_args[@]}" ||
      failed+=("$h")
    continue
  fi
  corpus="build/fuzz/corpus/$h"
  mkdir -p "$corpus"
  flags=(-max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1
         -dict="tests/fuzz/$h.dict" -artifact_prefix="$findings/")
  [ -n "${PLANEVAL_FUZZ_SEED:-}" ] && flags+=(-seed="$PLANEVAL_FUZZ_SEED")
  # shellcheck disable=SC2206 # word splitting of the extra flags is intended
  [ -n "${PLANEVAL_FUZZ_FLAGS:-}" ] && flags+=(${PLANEVAL_FUZZ_FLAGS})
  say "$h: $seconds s (corpus $corpus, seeds tests/fuzz/corpus/$h, findings $findings/)"
  log="build/fuzz/$h.log"
  set +e
  "build/fuzz/tests/fuzz/fuzz_$h" "${flags[@]}" "$corpus" "tests/fuzz/corpus/$h" >"$log" 2>&1
  rc=$?
  set -e
  # The summary: coverage, executions, speed (and the report of anything found).
  grep -E '^(#[0-9]+[[:space:]]+(INITED|DONE)|stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|stat::peak_rss_mb)' "$log" >&2 || true
  if [ $rc -ne 0 ]; then
    say "$h: FOUND something (exit $rc): the input is in $findings/, the report below and in $log"
    grep -E -A40 '^(==[0-9]+==ERROR|\*\*\* fuzz property failed|.*runtime error:|==[0-9]+== ERROR: libFuzzer)' "$log" | head -n 80 >&2 || tail -n 40 "$log" >&2
    failed+=("$h")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  say "findings in: ${failed[*]} (tests/fuzz/findings/; keep each as a regression: tests/fuzz/README.md)"
  exit 1
fi
say "no findings (${harnesses[*]}; $seconds s each)"
