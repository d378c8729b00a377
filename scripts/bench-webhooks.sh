#!/usr/bin/env bash
# `make bench-webhooks` (and the last step of `make bench`): webhook delivery speed.
#
# Builds `hub-bench-webhooks` (release; a binary of its own, not part of `hub`) and runs it on
# a fresh SQLite hub. First a warm-up, alike for both sides and not measured: BENCH_WEBHOOK_WARMUP
# events delivered by the worker, then the same bodies posted by the bare client (so neither
# side alone pays for first connections, the allocator's first pages, SQLite's page cache and
# prepared statements). Then three parts:
#  1. throughput: price changes are committed through the domain (each transaction writes its
#     outbox event) with no worker running; then the delivery worker starts and sends the
#     backlog through the guarded client to a local receiver that verifies every signature;
#  2. latency: as many changes again, committed while the worker runs; each event's time from
#     its commit to its verified delivery (p50, p99), and the rate of the whole (commit-bound);
#  3. a bare reqwest client posts the bodies and headers of part 1 to the same receiver at the
#     same concurrency. Both sides start from the event in hand and end at the same verifying
#     receiver, so the ratio is the cost of the outbox, the worker and the guard.
#
# Prints a summary and writes it into docs/PERFORMANCE.md between the webhook markers (its own
# generated section; the storefront section is left as it is).
#
# Settings (environment):
#   BENCH_WEBHOOK_EVENTS=16000 (the backlog) BENCH_WEBHOOK_LIVE=4000 (committed live)
#   BENCH_WEBHOOK_CONCURRENCY=32 BENCH_WEBHOOK_WRITERS=4
#   BENCH_WEBHOOK_WARMUP=1000
#   BENCH_WEBHOOK_RUNS=3      runs; the median run (by ratio) is reported, every run is listed
#   BENCH_SKIP_BUILD=1        use the binary already built
#   BENCH_WRITE_DOC=0|1       write docs/PERFORMANCE.md (default 1 for a release build)
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1mbench-webhooks:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31mbench-webhooks: %s\033[0m\n' "$*" >&2; exit 1; }

TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET_DIR/release/hub-bench-webhooks
EVENTS=${BENCH_WEBHOOK_EVENTS:-16000}
LIVE=${BENCH_WEBHOOK_LIVE:-4000}
CONC=${BENCH_WEBHOOK_CONCURRENCY:-32}
WRITERS=${BENCH_WEBHOOK_WRITERS:-4}
WARMUP=${BENCH_WEBHOOK_WARMUP:-1000}
RUNS=${BENCH_WEBHOOK_RUNS:-3}
OUT=$ROOT/target/bench
DOC=$ROOT/docs/PERFORMANCE.md
mkdir -p "$OUT"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  say "building hub-bench-webhooks (release)"
  cargo build --release -p server --bin hub-bench-webhooks >&2
fi
[ -x "$BIN" ] || die "no $BIN; run 'cargo build --release -p server --bin hub-bench-webhooks'"

LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
awk -v l="$LOAD_BEFORE" 'BEGIN { exit !(l > 1.5) }' &&
  say "warning: load average $LOAD_BEFORE before measuring: other processes share the CPU, expect noise"

LINES=()
for ((r = 1; r <= RUNS; r++)); do
  say "run $r of $RUNS: $EVENTS events in the backlog, $LIVE live, concurrency $CONC, $WRITERS writers"
  line=$(HUB_LOG_FILTER=warn "$BIN" --events "$EVENTS" --live-events "$LIVE" --concurrency "$CONC" --writers "$WRITERS" --warmup "$WARMUP" |
    grep '^BENCH_WEBHOOKS ') || die "run $r failed"
  say "  $line"
  LINES+=("$line")
done
printf '%s\n' "${LINES[@]}" >"$OUT/webhooks.txt"

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
# The median run by ratio.
MEDIAN=$(for l in "${LINES[@]}"; do
  printf '%s %s\n' "$(awk -v h="$(field "$l" hub_eps)" -v b="$(field "$l" bare_eps)" 'BEGIN { printf "%.6f", h / b }')" "$l"
done |
  sort -n | awk -v n="${#LINES[@]}" 'NR == int((n + 1) / 2) { $1 = ""; sub(/^ /, ""); print }')
HUB_EPS=$(field "$MEDIAN" hub_eps)
BARE_EPS=$(field "$MEDIAN" bare_eps)
# From the two rates (the binary's own ratio field has two decimals only).
RATIO=$(awk -v h="$HUB_EPS" -v b="$BARE_EPS" 'BEGIN { printf "%.4f", h / b }')
COMMIT_EPS=$(field "$MEDIAN" commit_eps)
LIVE_EPS=$(field "$MEDIAN" live_eps)
P50=$(field "$MEDIAN" p50_ms)
P99=$(field "$MEDIAN" p99_ms)
MET=$(awk -v r="$RATIO" 'BEGIN { print (r >= 0.5) ? "yes" : "**no**" }')

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" --no-optional-locks status --porcelain 2>/dev/null | grep -q . && echo " + uncommitted changes" || true)

REPORT=$OUT/webhooks-report.md
{
  echo "### Webhook delivery, run of $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) cores ($CPU); commit $COMMIT$DIRTY; release build; SQLite (changes committed"
  echo "with synchronous=FULL; the workers' leases and outcomes with NORMAL). A backlog of $EVENTS events,"
  echo "then $LIVE committed live (price-list changes, one transaction and one outbox event each, $WRITERS"
  echo "writers), $CONC deliveries at once; the receiver verifies every signature. $RUNS runs, the median"
  echo "by ratio reported. Before the parts, $WARMUP events warm both sides up alike (delivered by the"
  echo "worker, then posted by the bare client), unmeasured."
  echo
  echo "| measurement | events/s |"
  echo "| --- | ---: |"
  echo "| delivery: committed events (outbox backlog) → worker → guarded client → verified at the receiver | $HUB_EPS |"
  echo "| a bare reqwest client posting the same bodies and headers to the same receiver | $BARE_EPS |"
  echo "| committing the changes (domain, one transaction each, no worker running) | $COMMIT_EPS |"
  echo "| live: commit and delivery together, from the first commit to the last delivery | $LIVE_EPS |"
  echo
  echo "Commit → verified delivery, per event, while committing live: p50 $P50 ms, p99 $P99 ms."
  echo
  echo "| target | measured | met |"
  echo "| --- | --- | --- |"
  echo "| hub events/s ≥ 0.5 × bare client | ×$RATIO | $MET |"
  echo
  echo "Every run (\`target/bench/webhooks.txt\`):"
  echo
  for l in "${LINES[@]}"; do echo "- \`$l\`"; done
  echo
  echo "Load average before measuring: $LOAD_BEFORE."
} >"$REPORT"
echo
cat "$REPORT"
echo

if [ "${BENCH_WRITE_DOC:-1}" = 1 ]; then
  BEGIN='<!-- bench-webhooks:begin (written by scripts/bench-webhooks.sh) -->'
  END='<!-- bench-webhooks:end -->'
  if ! grep -qF "$BEGIN" "$DOC"; then
    printf '\n## Webhook delivery\n\n%s\n%s\n' "$BEGIN" "$END" >>"$DOC"
  fi
  awk -v begin="$BEGIN" -v end="$END" -v report="$REPORT" '
    $0 == begin { print; print ""; while ((getline line < report) > 0) print line; print ""; skip = 1; next }
    $0 == end { skip = 0 }
    !skip { print }' "$DOC" >"$DOC.tmp"
  mv "$DOC.tmp" "$DOC"
  say "wrote the figures into ${DOC#"$ROOT"/}"
fi
