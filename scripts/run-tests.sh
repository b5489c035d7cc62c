#!/usr/bin/env bash
# run-tests.sh: runs test programs and scripts, one at a time, each with a
# time limit, and prints a summary. A cmocka program counts its test cases;
# a script or other program counts as one test. Exit status 77 means the
# test was skipped (it says why): counted and listed apart, not a pass.
# Exit status is non-zero when anything failed. The time limit is
# TEST_TIMEOUT (default 300 s); a script may ask for more with a line
# "# run-tests: timeout=SECONDS" among its first ten. Each test's time is
# printed. Usage: run-tests.sh PROGRAM_OR_SCRIPT...
set -u
BUILD=${BUILD:-build}
export BUILD
default_limit=${TEST_TIMEOUT:-300}
passed=0 failed=0 skipped=0
failed_names=() skipped_names=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in "$@"; do
  echo "---- $t"
  limit=$default_limit
  if [[ "$t" == *.sh ]]; then
    cmd=(bash "$t")
    own=$(head -n 10 "$t" | sed -n 's/^# run-tests: timeout=\([0-9][0-9]*\).*/\1/p' | head -n 1)
    [[ -n "$own" && "$own" -gt "$limit" ]] && limit=$own
  else cmd=("$t"); fi
  start=$SECONDS
  timeout --kill-after=10 "$limit" "${cmd[@]}" >"$log" 2>&1
  rc=$?
  cat "$log"
  echo "     ($((SECONDS - start)) s)"
  if [[ $rc -eq 77 ]]; then
    skipped=$((skipped + 1)); skipped_names+=("$t")
    continue
  fi
  ok=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$log" | awk '{s+=$1} END {print s+0}')
  bad=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
  if [[ $ok -eq 0 && $bad -eq 0 ]]; then
    if [[ $rc -eq 0 ]]; then ok=1; else bad=1; fi
  elif [[ $rc -ne 0 && $bad -eq 0 ]]; then
    bad=1 # crashed or exited non-zero after its cases passed
  fi
  [[ $rc -eq 124 ]] && echo "TIMEOUT after ${limit}s: $t"
  passed=$((passed + ok)); failed=$((failed + bad))
  [[ $bad -gt 0 ]] && failed_names+=("$t")
done

echo
if [[ ${#skipped_names[@]} -gt 0 ]]; then
  echo "Skipped (not run here, see their SKIP lines): ${skipped_names[*]}"
fi
if [[ ${#failed_names[@]} -gt 0 ]]; then
  echo "Failed: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 && $passed -gt 0 ]]
