#!/usr/bin/env bash
# The HTML report in a real browser: render the report of samples/, have
# headless Chromium (Debian's package, installed when missing) parse it and
# check that every section is there, then take a screenshot and fail when it
# is missing or blank. `--save FILE` keeps the screenshot (docs/report.png).
set -euo pipefail
cd "$(dirname "$0")/.."
save=""
if [ "${1:-}" = "--save" ]; then
    save="${2:?--save takes a file name}"
fi

as_root=()
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then
    as_root=(sudo)
fi
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
    if [ "$(id -u)" != 0 ] && [ ${#as_root[@]} = 0 ]; then
        echo "report-page: chromium is missing and cannot be installed (not root, no sudo)" >&2
        exit 1
    fi
    "${as_root[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq chromium >/dev/null
    chromium=$(command -v chromium)
fi

# A font with Chinese glyphs, so that the screenshot shows the text (the
# checks below pass without one).
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq fonts-wqy-microhei >/dev/null ||
        echo "report-page: no Chinese font; the screenshot shows boxes for Chinese text" >&2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/docclean-page.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cargo build --release --quiet
target/release/docclean clean -q samples/input --out "$tmp/out" \
    --report "$tmp/report.json" --report-html "$tmp/report.html"

# The flags keep Chromium off the network: the page must need none.
browser=("$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --hide-scrollbars --user-data-dir="$tmp/profile")
"${browser[@]}" --dump-dom "file://$tmp/report.html" >"$tmp/dom.html" 2>"$tmp/chromium.log"
for id in summary stages rules encodings examples skipped emptied warnings errors; do
    if ! grep -q "id=\"$id\"" "$tmp/dom.html"; then
        echo "report-page: the page Chromium read has no #$id" >&2
        exit 1
    fi
done
grep -q "<del>" "$tmp/dom.html" || { echo "report-page: no example marked" >&2; exit 1; }

"${browser[@]}" --screenshot="$tmp/report.png" --window-size=1100,1500 \
    "file://$tmp/report.html" 2>>"$tmp/chromium.log" >/dev/null
if [ ! -s "$tmp/report.png" ]; then
    echo "report-page: Chromium made no screenshot" >&2
    tail -20 "$tmp/chromium.log" >&2
    exit 1
fi
python3 scripts/png_ink.py "$tmp/report.png" 0.02
if [ -n "$save" ]; then
    cp "$tmp/report.png" "$save"
fi
