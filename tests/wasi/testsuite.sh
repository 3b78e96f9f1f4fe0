#!/bin/sh
# tests/wasi/testsuite.sh ANYWHERE DIR — runs the official WASI test suite
# (WebAssembly/wasi-testsuite, its prebuilt wasm32-wasip1 programs) with
# `anywhere run`. DIR holds the suite's tests/ folder, as extracted by
#   git --git-dir=MIRROR archive prod/testsuite-base tests | tar -x -C DIR
# Each NAME.wasm runs as its NAME.json says (args, env, root: a directory
# pre-opened as "/", exit_code, stdout, stderr; defaults as in the suite's
# doc/specification.md), in a fresh copy of its root so runs do not see
# each other's files. Prints PASS/FAIL per test, a count per language,
# and last "N passed, N failed". Needs jq.
set -u
aw=$(realpath "$1")
suite=$2
only=${3:-}            # optional: a substring of the test names to run
work=$(mktemp -d "${TMPDIR:-/tmp}/aw-wasi-ts.XXXXXX")
trap 'rm -rf "$work"' EXIT
command -v jq >/dev/null || { echo "testsuite.sh: jq is needed"; echo "0 passed, 1 failed"; exit 1; }

# Standard input: an empty pipe that stays open (this script holds its
# write end), as the suite's own runner gives it; poll_oneoff_stdio
# waits on it.
mkfifo "$work/stdin" && exec 3<>"$work/stdin"
pass=0; fail=0
summary=""
for lang_dir in "$suite"/tests/*/testsuite/wasm32-wasip1; do
    [ -d "$lang_dir" ] || continue
    lang=$(basename "$(dirname "$(dirname "$lang_dir")")")
    lp=0; lf=0
    for wasm in "$lang_dir"/*.wasm; do
        name=$(basename "$wasm" .wasm)
        case "$name" in *"$only"*) ;; *) continue ;; esac
        json="$lang_dir/$name.json"
        [ -f "$json" ] || json=/dev/null
        spec=$(cat "$json"); [ -n "$spec" ] || spec='{}'
        # Build the command line as NUL-free shell words via jq.
        set -- "$aw" run
        eval "set -- \"\$@\" $(printf '%s' "$spec" | jq -r '[(.env // {}) | to_entries[] | "--env", "\(.key)=\(.value)"] | @sh')"
        root=$(printf '%s' "$spec" | jq -r '.root // empty')
        rm -rf "$work/root"
        if [ -n "$root" ]; then
            cp -a "$lang_dir/$root" "$work/root"
            find "$work/root" -name '*.cleanup' -exec rm -rf {} + 2>/dev/null
            set -- "$@" --dir "$work/root::/"
        fi
        set -- "$@" "$wasm"
        eval "set -- \"\$@\" $(printf '%s' "$spec" | jq -r '(.args // []) | @sh')"
        want_code=$(printf '%s' "$spec" | jq -r '.exit_code // 0')
        want_out=$(printf '%s' "$spec" | jq -r '.stdout // ""')
        (cd "$work" && timeout 20 "$@" <&3 >"$work/out" 2>"$work/err"); code=$?
        got_out=$(head -c "$(printf '%s' "$want_out" | wc -c)" "$work/out")
        why=""
        [ "$code" -eq "$want_code" ] || why="exit code $code, want $want_code"
        [ "$got_out" = "$want_out" ] || why="$why${why:+; }stdout '$got_out', want '$want_out'"
        if [ -z "$why" ]; then
            lp=$((lp + 1)); echo "PASS $lang/$name"
        else
            lf=$((lf + 1)); echo "FAIL $lang/$name: $why"
            head -n 5 "$work/err" | sed 's/^/    /'
        fi
    done
    pass=$((pass + lp)); fail=$((fail + lf))
    summary="$summary$lang: $lp passed, $lf failed\n"
done
printf "$summary"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
