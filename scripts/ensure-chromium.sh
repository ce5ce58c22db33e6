#!/bin/sh
# Browser journeys use Debian's chromium (never a downloaded browser build).
exec sh "$(dirname "$0")/ensure-debian-package.sh" /usr/bin/chromium chromium "browser tests"
