#!/usr/bin/env bash
# Regenerate samples/expected from samples/input with the current build, and
# the snapshot files of what users see (tests/snapshots). Read `git diff`
# before committing: every change there is a change in behaviour.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
rm -rf samples/expected
target/release/docclean clean samples/input --out samples/expected -q
INSTA_UPDATE=always cargo test --quiet --test golden >/dev/null || true
cargo test --quiet --test golden
git status --short samples/expected tests/snapshots
