#!/usr/bin/env bash
# Builds the qda Python package (crates/python) with the qda command in it.
#
#   scripts/python-package.sh develop [debug|release]   into the virtual environment $VIRTUAL_ENV
#   scripts/python-package.sh wheel [DIR]               a release wheel into DIR (default target/wheels)
#
# A wheel carries one Rust target (maturin issue #368), so the command is
# built first with cargo and copied into the package as qda/bin/qda, which
# the `qda` entry point runs. Reuses target/, as every cargo build here.
set -euo pipefail
cd "$(dirname "$0")/.."

what="${1:-}"
case "$what" in
  develop)
    profile="${2:-release}"
    [ -n "${VIRTUAL_ENV:-}" ] || { echo "error: develop installs into \$VIRTUAL_ENV; activate a virtual environment, or set VIRTUAL_ENV" >&2; exit 2; }
    ;;
  wheel) profile=release; out="${2:-target/wheels}" ;;
  *) echo "usage: scripts/python-package.sh develop [debug|release] | wheel [DIR]" >&2; exit 2 ;;
esac
case "$profile" in
  debug) cargo_flags=(); maturin_flags=(); folder=debug ;;
  release) cargo_flags=(--release); maturin_flags=(--release); folder=release ;;
  *) echo "error: profile \`$profile\`: give debug or release" >&2; exit 2 ;;
esac

cargo build --locked -p qda-cli "${cargo_flags[@]}"
install -m 755 "target/$folder/qda" crates/python/python/qda/bin/qda
if [ "$what" = develop ]; then
  PATH="$VIRTUAL_ENV/bin:$PATH" maturin develop --locked -m crates/python/Cargo.toml "${maturin_flags[@]}"
else
  maturin build --locked -m crates/python/Cargo.toml "${maturin_flags[@]}" -o "$out"
fi
