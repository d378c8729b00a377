#!/usr/bin/env bash
# `make bench`: the storefront benchmark. Builds the release binary, generates two datasets
# with `hub-bench-data` under target/bench/ (never the dev ./data), starts the release server
# on each and measures with wrk:
#
#   (a) a static copy of the warm category page, served from memory by the same server (the
#       site root's public files are read at start) through the same layers a kept page
#       passes (security headers, host → tenant, the page cache's check): the ceiling;
#   (b) a warm storefront category page (48 products, store overrides) for an anonymous
#       visitor, and the same page for a shopper with 2 items in a cart (the kept page with
#       their header swapped in: a cart query, no render);
#   (c) the same listing as JSON from the GET server function /api/store/category;
#   (d) start-up time to the first /healthz answer and to the first category page.
#
# then the scale dataset (10,000 stores × 100,000 SKUs × 1 % overrides by default) with wrk
# rotating the Host header over a sample of stores, and the server's memory. Prints a summary
# and writes it into docs/PERFORMANCE.md between the generated-section markers.
#
# Settings (environment):
#   BENCH_QUICK=1             short runs and a small "scale" dataset, to try the script out
#   BENCH_DURATION=20s        each measured wrk run (BENCH_WARMUP=3s before it, discarded)
#   BENCH_THREADS=2 BENCH_CONNECTIONS=16   wrk's threads and connections, the same for every run
#   BENCH_SCALE_STORES=10000 BENCH_SCALE_SKUS=100000 BENCH_SCALE_OVERRIDE_PCT=1
#   BENCH_SCALE_SIGNUP=20     scale stores created through the argon2 sign-up (the rest: registry)
#   BENCH_SCALE_HOSTS=100     stores the scale run rotates over (each warmed first)
#   BENCH_TAIL_HOSTS=10000    then this many, unwarmed: the long tail (0: skip)
#   BENCH_CACHE_MIB=          catalog.cache_mib for the server (empty: the configuration's)
#   BENCH_SKIP_SCALE=1        only the small run
#   BENCH_REGEN=1             regenerate the scale dataset even if one with the same numbers exists
#   BENCH_SKIP_BUILD=1 BENCH_BIN=path      use an existing binary (e.g. a debug build)
#   BENCH_PORT=3900           where the server listens (127.0.0.1)
#   BENCH_LOG_FILTER=warn     the server's HUB_LOG_FILTER (its log: target/bench/*-server.log)
#   BENCH_WRITE_DOC=0|1       write docs/PERFORMANCE.md (default: only for full release runs)
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1mbench:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31mbench: %s\033[0m\n' "$*" >&2; exit 1; }

QUICK=${BENCH_QUICK:-0}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${BENCH_BIN:-$TARGET_DIR/site-bin/release/hub}
# The dataset generator: a binary of its own (server/src/bin/hub_bench_data), not in `hub`.
DATA_BIN=${BENCH_DATA_BIN:-$TARGET_DIR/release/hub-bench-data}
SITE_ROOT=${BENCH_SITE_ROOT:-$ROOT/target/site-release}
OUT=$ROOT/target/bench
PORT=${BENCH_PORT:-3900}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNECTIONS:-16}
DOC=$ROOT/docs/PERFORMANCE.md
if [ "$QUICK" = 1 ]; then
  DURATION=${BENCH_DURATION:-3s}
  WARMUP=${BENCH_WARMUP:-1s}
  SCALE_STORES=${BENCH_SCALE_STORES:-200}
  SCALE_SKUS=${BENCH_SCALE_SKUS:-10000}
  SCALE_HOSTS=${BENCH_SCALE_HOSTS:-50}
else
  DURATION=${BENCH_DURATION:-20s}
  WARMUP=${BENCH_WARMUP:-3s}
  SCALE_STORES=${BENCH_SCALE_STORES:-10000}
  SCALE_SKUS=${BENCH_SCALE_SKUS:-100000}
  SCALE_HOSTS=${BENCH_SCALE_HOSTS:-100}
fi
TAIL_HOSTS=${BENCH_TAIL_HOSTS:-10000}
SCALE_PCT=${BENCH_SCALE_OVERRIDE_PCT:-1}
SCALE_SIGNUP=${BENCH_SCALE_SIGNUP:-20}
CACHE_MIB=${BENCH_CACHE_MIB:-}
CONFIGURED_CACHE_MIB=$(awk -F' *= *' '/^cache_mib/ { print $2; exit }' "$ROOT/Leptos.toml")
STATIC_NAME=bench-static.html
STATIC_FILE=$SITE_ROOT/$STATIC_NAME
SERVER_PID=""
PROFILE=release
case "$BIN" in */release/*) ;; *) PROFILE=debug ;; esac

cleanup() {
  local rc=$?
  stop_server
  rm -f "$STATIC_FILE"
  [ $rc -eq 0 ] || say "stopped (exit $rc); server logs are in $OUT/*-server.log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'say "failed at line $LINENO: $BASH_COMMAND"' ERR

# --- helpers -------------------------------------------------------------------------------
now_ms() { date +%s%3N; }
calc() { awk "BEGIN { printf \"%.6f\", $* }"; }
# fmt N DECIMALS
fmt() { awk -v x="$1" -v d="${2:-1}" 'BEGIN { printf "%.*f", d, x }'; }

# load_env FILE PREFIX: each KEY=value line becomes PREFIX_KEY.
load_env() {
  local k v
  while IFS='=' read -r k v; do
    [[ $k =~ ^[A-Z0-9_]+$ ]] || continue
    printf -v "${2}_${k}" '%s' "$v"
  done <"$1"
}

# Every HUB_* variable of the caller's shell is dropped for the server: the run sets its own.
HUB_UNSET=()
while read -r v; do HUB_UNSET+=(-u "$v"); done < <(compgen -e | grep '^HUB_' || true)

start_server() { # DATA_DIR LABEL HOST PATH (the first page to fetch)
  local data=$1 label=$2 log=$OUT/$2-server.log
  if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/healthz"; then
    die "something already answers on 127.0.0.1:$PORT; set BENCH_PORT"
  fi
  local extra=()
  [ -z "$CACHE_MIB" ] || extra+=("HUB_CATALOG_CACHE_MIB=$CACHE_MIB")
  local t0
  t0=$(now_ms)
  env "${HUB_UNSET[@]}" \
    HUB_DATA_DIR="$data" HUB_SERVER_LISTEN="127.0.0.1:$PORT" HUB_SITE_ROOT="$SITE_ROOT" \
    HUB_LOG_FILTER=${BENCH_LOG_FILTER:-warn} "${extra[@]}" \
    "$BIN" --config "$ROOT/Leptos.toml" serve >"$log" 2>&1 &
  SERVER_PID=$!
  local deadline=$((t0 + 120000))
  until curl -s -o /dev/null --max-time 1 -f "http://127.0.0.1:$PORT/healthz"; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      SERVER_PID=""
      tail -n 20 "$log" >&2 || true
      die "the server ($label) exited during start-up; log: $log"
    fi
    [ "$(now_ms)" -lt "$deadline" ] || die "the server ($label) did not answer /healthz within 120 s"
    sleep 0.005
  done
  HEALTH_MS=$(($(now_ms) - t0))
  local first
  first=$(fetch "$3" "$4" /dev/null)
  FIRST_PAGE_MS=$((first - t0))
}

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# fetch HOST PATH FILE: GETs a page with that Host header; fails unless 200. Prints the time
# (ms since the epoch) the answer was complete.
fetch() {
  local code
  code=$(curl -s -o "$3" -w '%{http_code}' --max-time 120 -H "Host: $1" "http://127.0.0.1:$PORT$2") || code=000
  [ "$code" = 200 ] || die "GET http://$1$2 answered $code"
  now_ms
}

memory() { # VmRSS and VmHWM of the server, MiB
  awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } END { printf "%.0f %.0f", r / 1024, h / 1024 }' \
    "/proc/$SERVER_PID/status"
}

WRK_LUA=$OUT/wrk.lua
write_lua() {
  cat >"$WRK_LUA" <<'LUA'
-- One request per Host named in $BENCH_HOSTS_FILE, in turn (each thread from its own
-- offset); one parseable line at the end.
local reqs, n, i = {}, 0, 0
local threads = 0
local cookie = os.getenv("BENCH_COOKIE")

function setup(thread)
  thread:set("offset", threads * 7919)
  threads = threads + 1
end

function init(args)
  for h in io.lines(os.getenv("BENCH_HOSTS_FILE")) do
    local headers = { Host = h }
    if cookie and cookie ~= "" then headers["Cookie"] = cookie end
    reqs[#reqs + 1] = wrk.format("GET", nil, headers)
  end
  n = #reqs
  i = (offset or 0) % n
end

function request()
  i = i % n + 1
  return reqs[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT %d %d %d %d %d %d %d %d\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(99), latency.max,
    e.status, e.connect + e.read + e.write + e.timeout))
end
LUA
}

# measure NAME PATH HOSTS_FILE: a discarded warm-up run, then the measured one. Sets
# NAME_RPS, NAME_P50, NAME_P99 (ms), NAME_MAX, NAME_KB (bytes per response / 1024).
measure() {
  local name=$1 path=$2 hosts=$3 out=$OUT/wrk-$1.txt
  say "  $name: wrk -t$THREADS -c$CONNS -d$DURATION http://127.0.0.1:$PORT$path ($(wc -l <"$hosts") host(s))"
  BENCH_HOSTS_FILE=$hosts wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -s "$WRK_LUA" \
    "http://127.0.0.1:$PORT$path" >/dev/null
  BENCH_HOSTS_FILE=$hosts wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$WRK_LUA" \
    "http://127.0.0.1:$PORT$path" >"$out"
  local line
  line=$(grep '^BENCH_RESULT' "$out") || die "wrk printed no result for $name (see $out)"
  read -r _ req dur bytes p50 p99 max non2xx errs <<<"$line"
  [ "$req" -gt 0 ] || die "$name: no request completed (see $out)"
  [ "$non2xx" -eq 0 ] || die "$name: $non2xx answers were not 2xx/3xx (see $out)"
  [ "$errs" -eq 0 ] || say "  warning: $name had $errs socket errors (see $out)"
  printf -v "${name}_RPS" '%s' "$(calc "$req / ($dur / 1000000)")"
  printf -v "${name}_P50" '%s' "$(calc "$p50 / 1000")"
  printf -v "${name}_P99" '%s' "$(calc "$p99 / 1000")"
  printf -v "${name}_MAX" '%s' "$(calc "$max / 1000")"
  printf -v "${name}_KB" '%s' "$(calc "$bytes / $req / 1024")"
  local rps=${name}_RPS p50v=${name}_P50 p99v=${name}_P99
  say "    $(fmt "${!rps}" 0) req/s, p50 $(fmt "${!p50v}" 2) ms, p99 $(fmt "${!p99v}" 2) ms"
}

# generate DIR STORES SKUS PCT SIGNUP
generate() {
  rm -rf "$1"
  mkdir -p "$(dirname "$1")"
  "$DATA_BIN" --config "$ROOT/Leptos.toml" --out "$1" --stores "$2" --skus "$3" \
    --override-pct "$4" --signup-stores "$5" >&2 || die "hub-bench-data failed for $1"
}

# --- 1. build and tools --------------------------------------------------------------------
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  say "building the release binary and site (make build RELEASE=1)"
  make -C "$ROOT" --no-print-directory build RELEASE=1 >&2
  say "building the dataset generator (hub-bench-data)"
  (cd "$ROOT" && cargo build --release -p server --bin hub-bench-data >&2)
fi
[ -x "$BIN" ] || die "no hub binary at $BIN; run 'make build RELEASE=1' or set BENCH_BIN"
[ -x "$DATA_BIN" ] || die "no dataset generator at $DATA_BIN; run 'cargo build --release -p server --bin hub-bench-data' or set BENCH_DATA_BIN"
command -v wrk >/dev/null || scripts/bootstrap.sh bench
command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk)"
command -v curl >/dev/null || die "curl is missing"
mkdir -p "$OUT" "$SITE_ROOT"
write_lua
[ "$PROFILE" = release ] || say "warning: $BIN is not a release build; the figures say little"
[ "$QUICK" = 1 ] && say "quick mode: $DURATION runs, a $SCALE_STORES-store × $SCALE_SKUS-SKU scale dataset"

# --- 2. the small dataset ------------------------------------------------------------------
say "small dataset: 1,000 SKUs, 3 stores, 20 % overrides (target/bench/small)"
generate "$OUT/small" 3 1000 20 3
load_env "$OUT/small/dataset.env" SMALL
STORE_HOST="$SMALL_DS_BENCH_STORE.localhost:$PORT"
CAT_PATH="/c/$SMALL_DS_BENCH_CATEGORY?page=0"
JSON_PATH="/api/store/category?slug=$SMALL_DS_BENCH_CATEGORY&page=0"
HOSTS_ONE=$OUT/hosts-one.txt
echo "$STORE_HOST" >"$HOSTS_ONE"

# --- 3. start-up ---------------------------------------------------------------------------
say "starting the $PROFILE server on the small dataset"
start_server "$OUT/small" small "$STORE_HOST" "$CAT_PATH"
SMALL_HEALTH_MS=$HEALTH_MS
SMALL_FIRST_PAGE_MS=$FIRST_PAGE_MS
say "  /healthz after $SMALL_HEALTH_MS ms, first category page after $SMALL_FIRST_PAGE_MS ms"

# --- 4. small run: (a) static, (b) page, (c) JSON ------------------------------------------
PAGE_HTML=$OUT/category-page.html
fetch "$STORE_HOST" "$CAT_PATH" "$PAGE_HTML" >/dev/null
PRODUCTS_ON_PAGE=$(grep -o 'href="/p/BN-[0-9]*"' "$PAGE_HTML" | sort -u | wc -l)
[ "$PRODUCTS_ON_PAGE" -ge 48 ] || say "warning: the category page links $PRODUCTS_ON_PAGE products, expected 48"
grep -q "$SMALL_DS_BENCH_STORE pick" "$PAGE_HTML" || say "warning: no overridden product name on the page"
# Public files are read into memory at start: restart the server with the copy in place.
cp "$PAGE_HTML" "$STATIC_FILE"
stop_server
start_server "$OUT/small" small-2 "$STORE_HOST" "$CAT_PATH"
fetch "$STORE_HOST" "/$STATIC_NAME" "$OUT/static-copy.html" >/dev/null
cmp -s "$PAGE_HTML" "$OUT/static-copy.html" || die "the static copy served differs from the page"
# A shopper with a cart: two of the page's first product put in a real cart through the
# storefront's own "Add to cart" (its cookie is the shopper's from then on). Their page is
# the kept one with their header (cart count) swapped in.
CART_SKU=$(grep -o 'href="/p/BN-[0-9]*"' "$PAGE_HTML" | head -n1 | sed 's|href="/p/||; s|"$||')
[ -n "$CART_SKU" ] || die "no product on the category page to put in a cart"
CART_COOKIE=$(curl -s -o /dev/null -D - -H "Host: $STORE_HOST" -H "Origin: http://$STORE_HOST" \
  -H 'Accept: application/json' --data "sku=$CART_SKU&quantity=2" \
  "http://127.0.0.1:$PORT/api/store/cart/add" |
  awk -F': ' 'tolower($1) == "set-cookie" && $2 ~ /^__Host-hub_cart=/ { split($2, a, ";"); print a[1] }')
[ -n "$CART_COOKIE" ] || die "adding to a cart set no cart cookie"
curl -s -o "$OUT/rendered-page.html" -H "Host: $STORE_HOST" -H "Cookie: $CART_COOKIE" \
  "http://127.0.0.1:$PORT$CAT_PATH"
grep -q "$SMALL_DS_BENCH_STORE pick" "$OUT/rendered-page.html" || die "the page for a visitor with a cart lacks the store's overrides"
grep -q 'data-testid="cart-count">2<' "$OUT/rendered-page.html" || die "the page for a visitor with a cart does not show their 2 items"
fetch "$STORE_HOST" "$JSON_PATH" "$OUT/category.json" >/dev/null
grep -q '"items":\[{' "$OUT/category.json" || die "the JSON listing has no items (see $OUT/category.json)"
PAGE_BYTES=$(wc -c <"$PAGE_HTML")
JSON_BYTES=$(wc -c <"$OUT/category.json")
# A shopper's first visit: the page and every /pkg file it loads (stylesheet, script, wasm),
# each as a browser asks for it (Accept-Encoding: br), bytes on the wire.
br_bytes() { curl -s -o /dev/null -w '%{size_download}' -H "Host: $STORE_HOST" -H 'Accept-Encoding: br' "http://127.0.0.1:$PORT$1"; }
FV_HTML=$(br_bytes "$CAT_PATH")
FV_CSS=0 FV_JS=0 FV_WASM=0
for asset in $(grep -o '/pkg/[A-Za-z0-9._-]*\.\(css\|js\|wasm\)' "$PAGE_HTML" | sort -u); do
  n=$(br_bytes "$asset")
  case $asset in
    *.css) FV_CSS=$((FV_CSS + n)) ;;
    *.js) FV_JS=$((FV_JS + n)) ;;
    *.wasm) FV_WASM=$((FV_WASM + n)) ;;
  esac
done
FV_TOTAL=$((FV_HTML + FV_CSS + FV_JS + FV_WASM))
FV_ASSETS=$(grep -o '/pkg/[A-Za-z0-9._-]*\.\(css\|js\|wasm\)' "$PAGE_HTML" | sort -u | tr '\n' ' ')
[ "$FV_WASM" -gt 0 ] || die "the category page loads no wasm bundle (looked for /pkg/*.wasm in $PAGE_HTML)"
say "first visit: $FV_TOTAL bytes brotli (html $FV_HTML, css $FV_CSS, js $FV_JS, wasm $FV_WASM: $FV_ASSETS)"
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
awk -v l="$LOAD_BEFORE" 'BEGIN { exit !(l > 1.5) }' &&
  say "warning: load average $LOAD_BEFORE before measuring: other processes share the CPU, expect noise"
say "measuring (page $PAGE_BYTES bytes, $PRODUCTS_ON_PAGE products, $SMALL_DS_BENCH_PAGE_OVERRIDDEN of them overridden; JSON $JSON_BYTES bytes)"
measure STATIC "/$STATIC_NAME" "$HOSTS_ONE"
measure PAGE "$CAT_PATH" "$HOSTS_ONE"
BENCH_COOKIE=$CART_COOKIE measure RENDER "$CAT_PATH" "$HOSTS_ONE"
measure JSON "$JSON_PATH" "$HOSTS_ONE"
read -r SMALL_RSS SMALL_HWM <<<"$(memory)"

# The console's CSV import as a hub admin uses it: a 100,000-row file uploaded over HTTP to
# the import server function, then followed through the status endpoint until it ends.
CONSOLE_CSV=$OUT/console-import.csv
awk 'BEGIN { print "sku,name,price,currency"; for (i = 0; i < 100000; i++) printf "CONSOLE-%06d,Console product %d,%d.%02d,EUR\n", i, i, 1 + i % 500, i % 100 }' >"$CONSOLE_CSV"
ADMIN_EMAIL=bench-admin@hub.bench
ADMIN_PASSWORD=bench-admin-password-2026
printf '%s' "$ADMIN_PASSWORD" | HUB_DATA_DIR="$OUT/small" "$BIN" --config "$ROOT/Leptos.toml" \
  admin create --email "$ADMIN_EMAIL" --name "Bench Admin" --password-stdin >/dev/null ||
  die "could not create the bench's hub admin"
HUB_HOST="localhost:$PORT"
ADMIN_COOKIE=$(curl -s -D - -o /dev/null -H "Host: $HUB_HOST" -H "Origin: http://$HUB_HOST" \
  -H 'Accept: application/json' --data-urlencode "email=$ADMIN_EMAIL" --data-urlencode "password=$ADMIN_PASSWORD" \
  "http://127.0.0.1:$PORT/api/auth/login" | tr -d '\r' |
  awk -F': ' 'tolower($1) == "set-cookie" { split($2, a, ";"); printf "%s%s", sep, a[1]; sep = "; " }')
[ -n "$ADMIN_COOKIE" ] || die "the bench's hub admin could not log in"
say "console import: uploading $(wc -c <"$CONSOLE_CSV") bytes (100,000 rows)"
t0=$(now_ms)
CONSOLE_JOB=$(curl -s -H "Host: $HUB_HOST" -H "Origin: http://$HUB_HOST" -H "Cookie: $ADMIN_COOKIE" \
  -H 'Accept: application/json' -F "file=@$CONSOLE_CSV;type=text/csv" \
  "http://127.0.0.1:$PORT/api/admin/catalog/import" | sed -n 's/.*"job":"\([^"]*\)".*/\1/p')
[ -n "$CONSOLE_JOB" ] || die "the console import did not start"
while :; do
  status=$(curl -s -H "Host: $HUB_HOST" -H "Cookie: $ADMIN_COOKIE" -H 'Accept: application/json' \
    "http://127.0.0.1:$PORT/api/admin/catalog/import-status?job=$CONSOLE_JOB")
  case $status in
    *'"Imported"'*) break ;;
    *'"outcome":null'*) sleep 0.2 ;;
    *) die "the console import failed: $status" ;;
  esac
done
CONSOLE_IMPORT_SECS=$(calc "($(now_ms) - $t0) / 1000")
say "console import: 100,000 rows in $(fmt "$CONSOLE_IMPORT_SECS" 1) s (upload + import)"
stop_server
rm -f "$STATIC_FILE"

NAGLE_NOTE=""
FASTER_NOTE=""
if awk -v a="$STATIC_RPS" -v b="$PAGE_RPS" -v p="$STATIC_P50" 'BEGIN { exit !(a < b && p >= 30) }'; then
  NAGLE_NOTE="The static copy (a) was slower than the rendered page (b), with a median near 40 ms: (a) is no ceiling and the ratios against it mean nothing. The usual cause: the server does not set TCP_NODELAY, and an answer written in more than one piece (ServeDir streams files) waits for the client's delayed ACK, ~40 ms."
  say "warning: $NAGLE_NOTE"
elif awk -v a="$STATIC_RPS" -v b="$PAGE_RPS" 'BEGIN { exit !(a < b) }'; then
  FASTER_NOTE="(b) beat (a): both come from memory ((b) from the rendered-page cache after one indexed read of the catalog versions, (a) from the public files read at start), so the two are close and run-to-run noise decides which is ahead."
  say "note: $FASTER_NOTE"
fi
RPS_RATIO=$(calc "$PAGE_RPS / $STATIC_RPS")
P99_RATIO=$(calc "$PAGE_P99 / $STATIC_P99")
JSON_RPS_RATIO=$(calc "$JSON_RPS / $STATIC_RPS")
JSON_P99_RATIO=$(calc "$JSON_P99 / $STATIC_P99")

# --- 5. scale run --------------------------------------------------------------------------
SCALE_DONE=0
if [ "${BENCH_SKIP_SCALE:-0}" != 1 ]; then
  SCALE_DIR=$OUT/scale-${SCALE_STORES}x${SCALE_SKUS}x${SCALE_PCT}
  if [ "${BENCH_REGEN:-0}" = 1 ] || [ ! -f "$SCALE_DIR/dataset.env" ]; then
    say "scale dataset: $SCALE_STORES stores × $SCALE_SKUS SKUs × $SCALE_PCT % overrides ($SCALE_DIR)"
    generate "$SCALE_DIR" "$SCALE_STORES" "$SCALE_SKUS" "$SCALE_PCT" "$SCALE_SIGNUP"
    SCALE_REUSED=0
  else
    say "scale dataset: reusing $SCALE_DIR (BENCH_REGEN=1 to rebuild it)"
    SCALE_REUSED=1
  fi
  load_env "$SCALE_DIR/dataset.env" SCALE
  SCALE_HOST="$SCALE_DS_BENCH_STORE.localhost:$PORT"
  say "starting the $PROFILE server on the scale dataset"
  start_server "$SCALE_DIR" scale "$SCALE_HOST" "$CAT_PATH"
  SCALE_HEALTH_MS=$HEALTH_MS
  SCALE_FIRST_PAGE_MS=$FIRST_PAGE_MS
  say "  /healthz after $SCALE_HEALTH_MS ms, first category page after $SCALE_FIRST_PAGE_MS ms"

  HOSTS_MANY=$OUT/hosts-scale.txt
  : >"$HOSTS_MANY"
  n_hosts=$((SCALE_HOSTS < SCALE_DS_STORES ? SCALE_HOSTS : SCALE_DS_STORES))
  for ((k = 0; k < n_hosts; k++)); do
    printf 'store-%05d.localhost:%s\n' $((1 + k * SCALE_DS_STORES / n_hosts)) "$PORT" >>"$HOSTS_MANY"
  done
  SCALE_LOAD=$(cut -d' ' -f1 /proc/loadavg)
  say "  warming $n_hosts stores (one cold category page each)"
  t0=$(now_ms)
  while read -r h; do fetch "$h" "$CAT_PATH" /dev/null >/dev/null; done <"$HOSTS_MANY"
  COLD_MS=$(calc "($(now_ms) - $t0) / $n_hosts")
  say "  $(fmt "$COLD_MS" 1) ms per cold store page (snapshot build + render)"
  HOSTS_ONE_SCALE=$OUT/hosts-scale-one.txt
  echo "$SCALE_HOST" >"$HOSTS_ONE_SCALE"
  measure SCALE_ONE "$CAT_PATH" "$HOSTS_ONE_SCALE"
  measure SCALE "$CAT_PATH" "$HOSTS_MANY"
  # The long tail: every store (by default) visited in turn without a warm-up of its own:
  # the first visit of each builds its snapshot and renders its page. No target.
  TAIL_DONE=0
  n_tail=$((TAIL_HOSTS < SCALE_DS_STORES ? TAIL_HOSTS : SCALE_DS_STORES))
  if [ "$n_tail" -gt "$n_hosts" ]; then
    HOSTS_TAIL=$OUT/hosts-tail.txt
    : >"$HOSTS_TAIL"
    for ((k = 0; k < n_tail; k++)); do
      printf 'store-%05d.localhost:%s\n' $((1 + k * SCALE_DS_STORES / n_tail)) "$PORT" >>"$HOSTS_TAIL"
    done
    measure TAIL "$CAT_PATH" "$HOSTS_TAIL"
    TAIL_DONE=1
  fi
  read -r SCALE_RSS SCALE_HWM <<<"$(memory)"
  stop_server
  SCALE_P99_RATIO=$(calc "$SCALE_P99 / $PAGE_P99")
  SCALE_DONE=1
fi

# --- 6. summary ----------------------------------------------------------------------------
met() { # VALUE OP LIMIT → yes / **no**
  awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
    ok = (op == "<=") ? (v <= l) : (v >= l); printf "%s", ok ? "yes" : "**no**" }'
}
row() { # LABEL NAME [RATIO-TEXT]
  local rps=${2}_RPS p50=${2}_P50 p99=${2}_P99 kb=${2}_KB
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$(fmt "${!rps}" 0)" "$(fmt "${!p50}" 2)" \
    "$(fmt "${!p99}" 2)" "$(fmt "${!kb}" 1)" "${3:-}"
}

# The CSV import figure comes from the largest dataset generated.
if [ "$SCALE_DONE" = 1 ]; then IMP=SCALE; else IMP=SMALL; fi
imp_rows=${IMP}_DS_SKUS imp_secs=${IMP}_DS_IMPORT_SECS imp_rate=${IMP}_DS_IMPORT_ROWS_PER_SEC
IMPORT_100K=$(calc "100000 / ${!imp_rate}")
if [ "${!imp_rows}" -ge 100000 ]; then
  IMPORT_NOTE="${!imp_rows} rows in $(fmt "${!imp_secs}" 1) s"
  IMPORT_100K=$(calc "${!imp_secs} * 100000 / ${!imp_rows}")
else
  IMPORT_NOTE="extrapolated from ${!imp_rows} rows in $(fmt "${!imp_secs}" 2) s"
fi

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM_GIB=$(awk '/^MemTotal:/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" --no-optional-locks status --porcelain 2>/dev/null | grep -q . && echo " + uncommitted changes" || true)
RUSTC=$( (rustc --version 2>/dev/null || true) | awk '{ print $2 }')
WRK_V=$( (wrk -v 2>&1 || true) | awk 'NR == 1 { print $2 }') # wrk -v exits with 1

REPORT=$OUT/report.md
{
  echo "### Run of $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) cores ($CPU), $MEM_GIB GiB RAM, $(uname -sr); commit $COMMIT$DIRTY, rustc $RUSTC,"
  echo "$PROFILE build. wrk $WRK_V on the same machine, sharing its cores with the server:"
  echo "\`-t$THREADS -c$CONNS\`, $WARMUP warm-up (discarded) then $DURATION per measurement, keep-alive, no"
  echo "compression requested. SQLite, \`catalog.cache_mib = ${CACHE_MIB:-$CONFIGURED_CACHE_MIB}\`.$([ "$QUICK" = 1 ] && echo ' **Quick mode (BENCH_QUICK=1): short runs, small scale dataset.**')"
  echo
  echo "| measurement | req/s | p50 ms | p99 ms | KiB/answer | vs (a) |"
  echo "| --- | ---: | ---: | ---: | ---: | --- |"
  row "(a) static copy of the page, from memory (public files)" STATIC
  row "(b) category page, warm, 48 products" PAGE "req/s ×$(fmt "$RPS_RATIO" 2), p99 ×$(fmt "$P99_RATIO" 2)"
  row "(b′) the same page for a shopper with a cart (their header swapped into the kept page)" RENDER "req/s ×$(fmt "$(calc "$RENDER_RPS / $STATIC_RPS")" 2), p99 ×$(fmt "$(calc "$RENDER_P99 / $STATIC_P99")" 2)"
  row "(c) the same listing as JSON" JSON "req/s ×$(fmt "$JSON_RPS_RATIO" 2), p99 ×$(fmt "$JSON_P99_RATIO" 2)"
  if [ "$SCALE_DONE" = 1 ]; then
    row "(b) scale: one store" SCALE_ONE
    row "(b) scale: $n_hosts stores in turn" SCALE "p99 ×$(fmt "$SCALE_P99_RATIO" 2) of small (b)"
    [ "$TAIL_DONE" = 0 ] || row "(b) scale: $n_tail stores in turn, none warmed first (no target)" TAIL
  fi
  echo
  echo "| target | measured | met |"
  echo "| --- | --- | --- |"
  if [ -n "$NAGLE_NOTE" ]; then
    echo "| (b) req/s ≥ 0.5 × (a) | ×$(fmt "$RPS_RATIO" 2) | not measured: (a) is no ceiling (see below) |"
    echo "| (b) p99 ≤ 1.5 × (a) p99 | ×$(fmt "$P99_RATIO" 2) | not measured: (a) is no ceiling (see below) |"
  else
    echo "| (b) req/s ≥ 0.5 × (a) | ×$(fmt "$RPS_RATIO" 2) | $(met "$RPS_RATIO" '>=' 0.5) |"
    echo "| (b) p99 ≤ 1.5 × (a) p99 | ×$(fmt "$P99_RATIO" 2) | $(met "$P99_RATIO" '<=' 1.5) |"
  fi
  echo "| (b′) req/s ≥ 0.25 × (a) | ×$(fmt "$(calc "$RENDER_RPS / $STATIC_RPS")" 2) | $(met "$(calc "$RENDER_RPS / $STATIC_RPS")" '>=' 0.25) |"
  echo "| (c) req/s ≥ 0.5 × (a) | ×$(fmt "$JSON_RPS_RATIO" 2) | $(met "$JSON_RPS_RATIO" '>=' 0.5) |"
  if [ "$SCALE_DONE" = 1 ]; then
    echo "| scale (b) p99 ≤ 1.2 × small (b) p99 | ×$(fmt "$SCALE_P99_RATIO" 2) | $(met "$SCALE_P99_RATIO" '<=' 1.2) |"
    echo "| server memory ≤ 2 GiB (peak RSS, scale run) | $SCALE_HWM MiB (now $SCALE_RSS MiB) | $(met "$SCALE_HWM" '<=' 2048) |"
  fi
  echo "| a shopper's first visit (HTML + CSS + JS + wasm, brotli) ≤ 250 KB | $(fmt "$(calc "$FV_TOTAL / 1000")" 0) KB (HTML $(fmt "$(calc "$FV_HTML / 1000")" 0), CSS $(fmt "$(calc "$FV_CSS / 1000")" 0), JS $(fmt "$(calc "$FV_JS / 1000")" 0), wasm $(fmt "$(calc "$FV_WASM / 1000")" 0)) | $(met "$FV_TOTAL" '<=' 250000) |"
  echo "| the console's import of a 100,000-row file, over HTTP (upload, import, status polls) < 30 s | $(fmt "$CONSOLE_IMPORT_SECS" 1) s | $(met "$CONSOLE_IMPORT_SECS" '<=' 30) |"
  echo "| CSV import of 100,000 rows < 30 s | $(fmt "$IMPORT_100K" 1) s ($(fmt "${!imp_rate}" 0) rows/s; $IMPORT_NOTE) | $(met "$IMPORT_100K" '<=' 30) |"
  echo
  echo "| dataset | SKUs | stores (sign-up) | overrides | DB size | generated in |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  echo "| small | $SMALL_DS_SKUS | $SMALL_DS_STORES ($SMALL_DS_SIGNUP_STORES) | $SMALL_DS_OVERRIDES | $(fmt "$(calc "$SMALL_DS_DB_BYTES / 1048576")" 0) MiB | $(fmt "$SMALL_DS_TOTAL_SECS" 1) s |"
  if [ "$SCALE_DONE" = 1 ]; then
    echo "| scale | $SCALE_DS_SKUS | $SCALE_DS_STORES ($SCALE_DS_SIGNUP_STORES) | $SCALE_DS_OVERRIDES | $(fmt "$(calc "$SCALE_DS_DB_BYTES / 1048576")" 0) MiB | $(fmt "$SCALE_DS_TOTAL_SECS" 0) s$([ "$SCALE_REUSED" = 1 ] && echo ' (reused)') |"
  fi
  echo
  echo "- (d) start-up to the first \`/healthz\` answer: $SMALL_HEALTH_MS ms (small)$([ "$SCALE_DONE" = 1 ] && echo ", $SCALE_HEALTH_MS ms (scale)"); to the first category page (cold snapshot): $SMALL_FIRST_PAGE_MS ms (small)$([ "$SCALE_DONE" = 1 ] && echo ", $SCALE_FIRST_PAGE_MS ms (scale)")."
  if [ "$SCALE_DONE" = 1 ]; then
    echo "- Scale: a cold store page (snapshot of $SCALE_DS_SKUS products built, then rendered) took $(fmt "$COLD_MS" 1) ms on average over $n_hosts stores; one store's snapshot weighs $SCALE_DS_STORE_SNAPSHOT_KIB KiB (built in $SCALE_DS_STORE_SNAPSHOT_MS ms by the generator, the master in $SCALE_DS_MASTER_SNAPSHOT_MS ms)."
    echo "- Scale stores: $SCALE_DS_SIGNUP_STORES through the reseller sign-up at $SCALE_DS_SIGNUP_MS_PER_STORE ms each (argon2 dominates), the rest through \`registry::create\` + approval + publication at $SCALE_DS_CREATE_MS_PER_STORE ms each."
  fi
  [ -z "$NAGLE_NOTE" ] || echo "- **$NAGLE_NOTE**"
  [ -z "$FASTER_NOTE" ] || echo "- $FASTER_NOTE"
  echo "- Load average before the small run's measurements: $LOAD_BEFORE$([ "$SCALE_DONE" = 1 ] && echo ", before the scale run's: $SCALE_LOAD")."
  echo "- Memory after the small run: $SMALL_RSS MiB resident (peak $SMALL_HWM MiB)."
  echo "- The page: $PAGE_BYTES bytes, $PRODUCTS_ON_PAGE products, $SMALL_DS_BENCH_PAGE_OVERRIDDEN of them differing from the master in store \`$SMALL_DS_BENCH_STORE\`; the JSON: $JSON_BYTES bytes."
} >"$REPORT"

echo
cat "$REPORT"
echo

WRITE_DOC=${BENCH_WRITE_DOC:-}
if [ -z "$WRITE_DOC" ]; then
  if [ "$QUICK" != 1 ] && [ "$PROFILE" = release ] && [ "$SCALE_DONE" = 1 ]; then WRITE_DOC=1; else WRITE_DOC=0; fi
fi
if [ "$WRITE_DOC" = 1 ]; then
  BEGIN='<!-- bench:begin (written by scripts/bench.sh; edit above this line) -->'
  END='<!-- bench:end -->'
  if ! grep -qF "$BEGIN" "$DOC"; then
    printf '\n%s\n%s\n' "$BEGIN" "$END" >>"$DOC"
  fi
  awk -v begin="$BEGIN" -v end="$END" -v report="$REPORT" '
    $0 == begin { print; print ""; while ((getline line < report) > 0) print line; print ""; skip = 1; next }
    $0 == end { skip = 0 }
    !skip { print }' "$DOC" >"$DOC.tmp"
  mv "$DOC.tmp" "$DOC"
  say "wrote the figures into ${DOC#"$ROOT"/}"
else
  say "not writing docs/PERFORMANCE.md (quick, debug or small-only run; BENCH_WRITE_DOC=1 forces it)"
fi
say "done; raw wrk output, pages and logs are in ${OUT#"$ROOT"/}/"
