#!/bin/sh
# Debian's chromium and fonts-noto-cjk for the browser tests (tests/browser/), installed when missing
# (`make test` runs this first). Playwright drives /usr/bin/chromium itself: no browser download.
# Without root, apt-get or network: with CI=true the run fails here; otherwise a warning, and the
# browser tests skip with the reason.
set -u

missing=""
[ -x /usr/bin/chromium ] || missing="chromium"
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "ok installed" || missing="$missing fonts-noto-cjk"
missing=$(echo $missing)
[ -z "$missing" ] && exit 0

give_up() {
    if [ "${CI:-}" = "true" ]; then
        echo "error: $1 (CI=true runs the browser tests)" >&2
        exit 1
    fi
    echo "warning: $1: the browser tests (tests/browser/) will be skipped" >&2
    exit 0
}

command -v apt-get >/dev/null 2>&1 || give_up "no apt-get here to install $missing"
[ "$(id -u)" = 0 ] || give_up "installing $missing needs root: sudo apt-get install -y $missing"
echo "installing Debian packages for the browser tests: $missing"
apt-get update -qq || give_up "apt-get update failed"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing \
    || give_up "apt-get could not install $missing"
