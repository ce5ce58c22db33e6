#!/bin/sh
# Browser journeys use Debian's chromium (never a downloaded browser build).
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing Debian's chromium for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "== chromium is missing and this user cannot install it: browser tests will be skipped" >&2
  echo "   (as root: apt-get install -y chromium)" >&2
fi
