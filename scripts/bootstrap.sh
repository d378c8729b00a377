#!/usr/bin/env bash
# Installs the tools the build and the tests need, skipping what is already present.
# Every tool version the project depends on is pinned here and nowhere else.
#
#   scripts/bootstrap.sh build   # wasm target, wasm-bindgen CLI, wasm-opt, brotli
#   scripts/bootstrap.sh test    # the above plus Chromium + chromedriver
#   scripts/bootstrap.sh bench   # the above plus wrk
#   scripts/bootstrap.sh watch   # the above plus cargo-leptos (only `make watch` needs it)
set -euo pipefail

CARGO_LEPTOS_VERSION=0.3.10
# Must equal the wasm-bindgen version in Cargo.lock (Cargo.toml pins it with "=").
WASM_BINDGEN_VERSION=0.2.130
WASM_TARGET=wasm32-unknown-unknown
# Test tools from PyPI, in a virtualenv of their own (PYTOOLS, default under the target dir):
# the Standard Webhooks reference library verifies the hub's signatures independently.
STANDARDWEBHOOKS_VERSION=1.0.1
# ... and schemathesis fuzzes the partner API from its OpenAPI document.
SCHEMATHESIS_VERSION=4.32.5
PYTOOLS="${PYTOOLS:-${CARGO_TARGET_DIR:-$(pwd)/target}/pytools}"

what=${1:-build}
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$CARGO_BIN:$PATH"

say() { printf '\033[1mbootstrap:\033[0m %s\n' "$*" >&2; }

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  say "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

if ! rustup target list --installed | grep -qx "$WASM_TARGET"; then
  say "adding the $WASM_TARGET target (the storefront's browser build)"
  rustup target add "$WASM_TARGET"
fi

# wasm-opt shrinks the release wasm; Debian's binaryen accepts rustc 1.95's output.
command -v wasm-opt >/dev/null || { say "wasm-opt is missing (release builds run it)"; apt_install binaryen; }
# Release builds precompress the bundle.
command -v brotli >/dev/null || apt_install brotli

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (must match Cargo.lock; ~5-10 min once)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ "$what" = watch ] && [ "$(cargo-leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (for watch mode only; ~15 min once)"
  # LTO off for this one install only: the locked 0.3.10 build is otherwise far slower here.
  env CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --force
fi

if [ "$what" = test ] || [ "$what" = bench ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Chromium + chromedriver (browser tests)"
    apt_install chromium chromium-driver
  fi
fi

if [ "$what" = test ] || [ "$what" = bench ]; then
  if ! "$PYTOOLS/bin/python" -c "import standardwebhooks" 2>/dev/null \
     || [ "$("$PYTOOLS/bin/pip" show standardwebhooks 2>/dev/null | awk '/^Version/{print $2}')" != "$STANDARDWEBHOOKS_VERSION" ]; then
    say "installing standardwebhooks $STANDARDWEBHOOKS_VERSION (PyPI) into $PYTOOLS"
    python3 -m venv "$PYTOOLS" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$PYTOOLS"; }
    "$PYTOOLS/bin/pip" install -q "standardwebhooks==$STANDARDWEBHOOKS_VERSION"
  fi
fi
if [ "$what" = test ]; then
  if [ "$("$PYTOOLS/bin/pip" show schemathesis 2>/dev/null | awk '/^Version/{print $2}')" != "$SCHEMATHESIS_VERSION" ]; then
    say "installing schemathesis $SCHEMATHESIS_VERSION (PyPI) into $PYTOOLS"
    "$PYTOOLS/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
  fi
fi

if [ "$what" = bench ]; then
  command -v wrk >/dev/null || { say "installing wrk (benchmark load generator)"; apt_install wrk; }
fi
exit 0
