#!/bin/sh
# The FET round-trip tests run Debian's fet-cl (the free timetabling program) on a file the tests make.
exec sh "$(dirname "$0")/ensure-debian-package.sh" fet-cl fet "FET tests" " (they fail when CI=true)"
