# SPDX-License-Identifier: MIT
# Shared set-up for the host CLI tests (sourced). Set `suite` first; $1 is
# the CLI under test.
set -u
cli=${1:?usage: $0 path/to/weakbit}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() {  # name, then a command that must succeed
    local name=$1; shift
    if "$@" >/dev/null 2>&1; then echo "ok - $suite: $name"; else echo "not ok - $suite: $name"; fails=1; fi
}
# The number of checks this suite runs (TAP plan), printed first.
plan() { echo "1..$1"; }
# A check that could not run here: TAP skip, counted apart from passes.
skip() {  # name, reason
    echo "ok - $suite: $1 # SKIP $2"
}
