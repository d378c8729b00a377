#!/usr/bin/env bash
# The README's fresh-machine figures: a fresh clone of this repository's HEAD built and tested
# as on a new machine, as near as this one allows: an empty HOME (no cargo registry, no
# installed cargo tools, no target dir) and only the Rust toolchain's own commands on PATH.
# Times the first `make run` to its first page, then `make test` while that `make run` serves.
# Everything lives under /tmp/fresh. Run from the repository: scripts/fresh-machine.sh
set -u
REPO=$(cd "$(dirname "$0")/.." && pwd)
RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
TOOLCHAIN_BIN=${CARGO_HOME:-$HOME/.cargo}/bin
mkdir -p /tmp/fresh/bin /tmp/fresh/home
for t in cargo rustc rustup rustfmt cargo-fmt cargo-clippy clippy-driver rustdoc; do
  ln -sf "$TOOLCHAIN_BIN/$t" "/tmp/fresh/bin/$t"
done
export HOME=/tmp/fresh/home RUSTUP_HOME
export PATH=/tmp/fresh/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
unset CARGO_TARGET_DIR CARGO_HOME
rm -rf /tmp/fresh/home/.cargo /tmp/fresh/hub
cd /tmp/fresh && git clone -q "$REPO" hub && cd hub
echo "commit $(git rev-parse --short HEAD)"
start=$(date +%s)
make run > /tmp/fresh/run.log 2>&1 &
until curl -sf -o /dev/null http://localhost:3000/ ; do
  sleep 5
  if ! pgrep -f "make run" >/dev/null; then echo "make run ended early"; tail -30 /tmp/fresh/run.log; exit 1; fi
done
echo "make run: first page after $(( $(date +%s) - start )) s"
t0=$(date +%s)
make test > /tmp/fresh/test.log 2>&1
rc=$?
echo "make test (beside the serving make run): exit $rc after $(( $(date +%s) - t0 )) s"
curl -sf -o /dev/null http://localhost:3000/ && echo "make run still serving after make test"
pkill -f "/tmp/fresh/hub/target/site-bin/debug/hub serve"
