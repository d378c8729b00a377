#!/usr/bin/env bash
# Builds what `hub serve` needs with plain cargo: the server binary, the browser bundle (wasm
# through the pinned wasm-bindgen CLI, wasm-opt in release), the stylesheet and the public
# files. cargo-leptos is not needed for this (only for `make watch`).
#
#   scripts/build.sh debug|release
#
# Outputs: target/site/ (release: target/site-release/) with pkg/hub{,-shop}.{js,wasm} and
# pkg/hub.css and the public files, and the binary
# at $TARGET_DIR/site-bin/<profile>/hub. Both are replaced by rename, never written over, so a
# `make run` serving from them keeps running while `make test` builds anew.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=${1:-debug}
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
# Debug and release sites live apart, so a release build (for `make bench`) does not swap
# the wasm under a debug server or its browser tests.
case "${1:-debug}" in release) SITE=$PWD/target/site-release ;; *) SITE=$PWD/target/site ;; esac
OUTPUT_NAME=hub   # = site.output_name in Leptos.toml and LEPTOS_OUTPUT_NAME in .cargo/config.toml
WASM_TARGET=wasm32-unknown-unknown

say() { printf '\033[1mbuild:\033[0m %s\n' "$*" >&2; }

case "$profile" in
  release) server_flags=(--release); server_dir=release; wasm_profile=wasm-release; wasm_dir=wasm-release ;;
  debug)   server_flags=();          server_dir=debug;   wasm_profile=dev;          wasm_dir=debug ;;
  *) echo "usage: $0 debug|release" >&2; exit 2 ;;
esac

say "server ($profile)"
cargo build -p server --bin hub "${server_flags[@]}"

mkdir -p "$PWD/target"
stage=$(mktemp -d "$PWD/target/.site.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/pkg"

# Two browser bundles: `hub` (every page, with the consoles) and `hub-shop` (the storefront
# pages only: what a shopper downloads). The server picks one per page (app::bundle_for).
bundle() {
  local name=$1 features=$2
  say "browser bundle $name ($wasm_profile, features $features)"
  cargo build -p frontend --lib --target "$WASM_TARGET" --no-default-features --features "$features" \
    --profile "$wasm_profile"
  wasm-bindgen --target web --no-typescript --out-dir "$stage/pkg" --out-name "$name" \
    "$TARGET_DIR/$WASM_TARGET/$wasm_dir/frontend.wasm"
  # Leptos asks for pkg/<name>.wasm when LEPTOS_OUTPUT_NAME was set at compile time.
  mv "$stage/pkg/${name}_bg.wasm" "$stage/pkg/$name.wasm"
  if [ "$profile" = release ]; then
    say "wasm-opt -Oz $name.wasm"
    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      -o "$stage/pkg/$name.opt.wasm" "$stage/pkg/$name.wasm"
    mv "$stage/pkg/$name.opt.wasm" "$stage/pkg/$name.wasm"
  fi
}
bundle "$OUTPUT_NAME" hydrate
bundle "$OUTPUT_NAME-shop" hydrate,shop
cp style/main.css "$stage/pkg/$OUTPUT_NAME.css"
cp -R public/. "$stage/"
if [ "$profile" = release ]; then
  # Served as is by /pkg (ServeDir picks .br / .gz by Accept-Encoding): no compression per request.
  for f in "$stage/pkg/"*.{wasm,js,css}; do
    gzip -9 -k -n "$f"
    if command -v brotli >/dev/null; then brotli -q 11 -k "$f"; fi
  done
fi

# Swap the site in by rename (a server reading the old one keeps its open files).
rm -rf "$SITE.old"
[ -d "$SITE" ] && mv "$SITE" "$SITE.old"
mv "$stage" "$SITE"
rm -rf "$SITE.old"
trap - EXIT

bin_dir="$TARGET_DIR/site-bin/$profile"
mkdir -p "$bin_dir"
cp "$TARGET_DIR/$server_dir/hub" "$bin_dir/.hub.new"
mv -f "$bin_dir/.hub.new" "$bin_dir/hub"
say "done: $bin_dir/hub, site in $SITE"
ls -l "$SITE/pkg" >&2
