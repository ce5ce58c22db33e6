#!/bin/sh
# The FET round-trip tests run Debian's fet-cl (the free timetabling program) on a file the tests make.
if command -v fet-cl >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing Debian's fet for the timetable import tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fet >/dev/null
else
  echo "== fet-cl is missing and this user cannot install it: FET tests will be skipped (they fail when CI=true)" >&2
  echo "   (as root: apt-get install -y fet)" >&2
fi
