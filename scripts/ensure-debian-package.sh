#!/bin/sh
# ensure-debian-package.sh PROGRAM PACKAGE TESTS [NOTE]: the tests named TESTS run Debian's PROGRAM (a name on the
# PATH, or an absolute path) from PACKAGE; install it when missing and this user is root, else say they are skipped.
program=$1 package=$2 tests=$3 note=$4
case $program in
  /*) [ -x "$program" ] && exit 0 ;;
  *) command -v "$program" >/dev/null 2>&1 && exit 0 ;;
esac
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing Debian's $package for the $tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
else
  echo "== $(basename "$program") is missing and this user cannot install it: $tests will be skipped$note" >&2
  echo "   (as root: apt-get install -y $package)" >&2
fi
