# lib.sh: what the shell tests share, sourced at their top after BIN is set:
#   . "$(dirname "$0")/lib.sh" || exit 1
# It counts checks (pass, fail; ok, bad, check), runs the corridor binary under $COR_WRAP (run,
# expect) and makes $TMP, a directory removed on exit (a script with more to clean up sets its
# own EXIT trap, which must remove $TMP too). A script ends with
#   echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]
# so that any failed check fails the test.
WRAP=${COR_WRAP:-}
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# check 'CONDITION' WHAT: the condition (a shell command, eval'd) passes or WHAT is reported
check() { if eval "$1"; then ok; else bad "$2"; fi; }
# run ARGS...: corridor ARGS under $COR_WRAP (e.g. "valgrind --error-exitcode=99 ...")
run() { $WRAP "$BIN" "$@"; }

# expect CODE ARGS...: corridor ARGS exits with CODE; stdout in $TMP/out, stderr in $TMP/err
expect() {
  local code=$1; shift
  run "$@" >"$TMP/out" 2>"$TMP/err"
  local got=$?
  if [ "$got" -eq "$code" ]; then ok; else bad "corridor $* exited $got, expected $code: $(head -c 300 "$TMP/err")"; fi
}
