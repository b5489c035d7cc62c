#!/usr/bin/env bash
# run-tests.sh: runs test programs and scripts, one at a time, each with a
# time limit, and prints a summary. A cmocka program counts its test cases;
# a script or other program counts as one test. Exit status is non-zero when
# anything failed. Usage: run-tests.sh PROGRAM_OR_SCRIPT...
set -u
BUILD=${BUILD:-build}
export BUILD
limit=${TEST_TIMEOUT:-300}
passed=0 failed=0
failed_names=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in "$@"; do
  echo "---- $t"
  if [[ "$t" == *.sh ]]; then cmd=(bash "$t"); else cmd=("$t"); fi
  timeout --kill-after=10 "$limit" "${cmd[@]}" >"$log" 2>&1
  rc=$?
  cat "$log"
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
if [[ ${#failed_names[@]} -gt 0 ]]; then
  echo "Failed: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
