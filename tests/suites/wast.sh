#!/bin/sh
# tests/suites/wast.sh [BUILD [NAME...]] — the project's own scripts in the
# spec test format (tests/spec/*.wast: regressions, cases the official
# suite misses), run exactly like the official suite by spec.sh.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-${BUILD:-build}}
[ $# -gt 0 ] && shift
SPEC_DIR="$root/tests/spec" SPEC_OUT="$BUILD/spec-local" exec sh "$root/tests/suites/spec.sh" "$BUILD" "$@"
