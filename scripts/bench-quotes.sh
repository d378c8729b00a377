#!/usr/bin/env bash
# `make bench-quotes` (and a step of `make bench`): the live-quote time of a quote request.
#
# Builds `hub-bench-quotes` (release; a binary of the test crate, not part of `hub`) and runs
# it on a fresh SQLite hub: a master catalog of BENCH_QUOTES_SKUS products, five distributors
# with a price list over all of them and auto-quote rules on, then BENCH_QUOTES_REQUESTS
# requests of 20 product lines sent to the five. Measured: from `send` to every automatic
# answer stored (p50, p99). Target: p50 <= 50 ms.
#
# Prints a summary and writes it into docs/PERFORMANCE.md between the quotes markers (its own
# generated section).
#
# Settings (environment):
#   BENCH_QUOTES_SKUS=100000 BENCH_QUOTES_REQUESTS=100
#   BENCH_SKIP_BUILD=1        use the binary already built
#   BENCH_WRITE_DOC=0|1       write docs/PERFORMANCE.md (default 1)
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1mbench-quotes:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31mbench-quotes: %s\033[0m\n' "$*" >&2; exit 1; }

TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BENCH=$TARGET_DIR/release/hub-bench-quotes
SKUS=${BENCH_QUOTES_SKUS:-100000}
REQUESTS=${BENCH_QUOTES_REQUESTS:-100}
OUT=$ROOT/target/bench
DOC=$ROOT/docs/PERFORMANCE.md
mkdir -p "$OUT"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  say "building hub-bench-quotes (release)"
  cargo build --release -p hub-tests --bin hub-bench-quotes >&2
fi
[ -x "$BENCH" ] || die "no $BENCH"

LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
awk -v l="$LOAD_BEFORE" 'BEGIN { exit !(l > 1.5) }' &&
  say "warning: load average $LOAD_BEFORE before measuring: other processes share the CPU, expect noise"

say "$SKUS products, 5 distributors with a price list over all of them, $REQUESTS requests of 20 lines"
LINE=$(TEST_DB=sqlite "$BENCH" --skus "$SKUS" --requests "$REQUESTS" | grep '^BENCH_QUOTES ') ||
  die "the run failed"
say "  $LINE"
echo "$LINE" >"$OUT/quotes.txt"

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
P50=$(field "$LINE" p50_ms)
P99=$(field "$LINE" p99_ms)
MIN=$(field "$LINE" min_ms)
MAX=$(field "$LINE" max_ms)
N=$(field "$LINE" requests)
SETUP=$(field "$LINE" setup_s)
MET=$(awk -v p="$P50" 'BEGIN { print (p <= 50) ? "yes" : "**no**" }')
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" --no-optional-locks status --porcelain 2>/dev/null | grep -q . && echo " + uncommitted changes" || true)
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
CORES=$(nproc)

REPORT=$OUT/quotes.md
{
  echo "Measured on $(date -u +%Y-%m-%d) at commit \`$COMMIT\`$DIRTY, release build, SQLite (WAL, \`synchronous=FULL\`), on $CPU ($CORES cores)."
  echo
  echo "A request of 20 product lines sent to 5 distributors, each with a price list of $SKUS SKUs and auto-quote rules on: the time from \`send\` to its return, when all five automatic answers are stored (every line priced, checked after each send). $N requests after 3 for warm-up; each asks for a new set of SKUs spread over the catalog."
  echo
  echo "| measure | result | target | met |"
  echo "| --- | --- | --- | --- |"
  echo "| send → every live answer stored, p50 | $P50 ms | ≤ 50 ms | $MET |"
  echo "| the same, p99 | $P99 ms | none set | — |"
  echo "| fastest / slowest | $MIN ms / $MAX ms | — | — |"
  echo
  echo "Setting up the hub (import of the catalog, five price lists of $SKUS rows) took $SETUP s and is not part of the figures."
  echo
  echo "Load average before measuring: $LOAD_BEFORE."
} >"$REPORT"
echo
cat "$REPORT"
echo

if [ "${BENCH_WRITE_DOC:-1}" = 1 ]; then
  BEGIN='<!-- bench-quotes:begin (written by scripts/bench-quotes.sh) -->'
  END='<!-- bench-quotes:end -->'
  if ! grep -qF "$BEGIN" "$DOC"; then
    printf '\n## Quote requests\n\n%s\n%s\n' "$BEGIN" "$END" >>"$DOC"
  fi
  awk -v begin="$BEGIN" -v end="$END" -v report="$REPORT" '
    $0 == begin { print; print ""; while ((getline line < report) > 0) print line; print ""; skip = 1; next }
    $0 == end { skip = 0 }
    !skip { print }' "$DOC" >"$DOC.tmp"
  mv "$DOC.tmp" "$DOC"
  say "wrote the figures into ${DOC#"$ROOT"/}"
fi
