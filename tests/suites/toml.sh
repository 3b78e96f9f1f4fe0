#!/bin/sh
# tests/suites/toml.sh [BUILD] — the TOML parser (src/app/toml.c) against
# the official toml-test cases for TOML 1.0, read from ../shared/toml-test
# beside the repository (or $TOML_TEST_DIR, toml-test's tests/ folder),
# plus checks of the API, positions and error messages. Builds
# $BUILD/tests/toml/test_toml (mk/toml.mk) and prints its per-category
# counts; the last line is "N passed, N failed". TOML_VERBOSE=1 prints the
# message of each rejected invalid case.
set -u
BUILD=${1:-${BUILD:-build}}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
dir=${TOML_TEST_DIR:-$(dirname "$root")/shared/toml-test/tests}
# Under `make test` the calling make's flags (SAN=1, CC=...) reach the
# sub-make through MAKEFLAGS; run by hand, a build/san directory means SAN=1.
san=""
case "$BUILD" in */san) san="SAN=1" ;; esac

if [ ! -f "$dir/files-toml-1.0.0" ]; then
    echo "toml: no toml-test cases in $dir (check out the shared test data beside the repository, or set TOML_TEST_DIR)"
    echo "0 passed, 1 failed"; exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
bin="$BUILD/tests/toml/test_toml"
if ! make -s $san BUILD="$BUILD" "$bin" >"$log" 2>&1; then
    echo "toml: $bin does not build"
    tail -n 20 "$log" | sed 's/^/    /'
    echo "0 passed, 1 failed"; exit 1
fi
timeout "${TOML_TIMEOUT:-300}" "$bin" "$dir" >"$log" 2>&1
rc=$?
cat "$log"
if ! tail -n 1 "$log" | grep -qE '^[0-9]+ passed, [0-9]+ failed$'; then
    echo "toml: test_toml ended without a result (exit status $rc)"
    echo "0 passed, 1 failed"; exit 1
fi
