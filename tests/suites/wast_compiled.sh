#!/bin/sh
# tests/suites/wast_compiled.sh [BUILD [NAME...]] — the project's own spec
# test scripts (tests/spec/*.wast) in the LLVM-compiled tier: wast.sh's
# scripts run by spec_compiled.sh. Last line "N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-${BUILD:-build}}
[ $# -gt 0 ] && shift
SPEC_DIR="$root/tests/spec" exec sh "$root/tests/suites/spec_compiled.sh" "$BUILD" "$@"
