#!/usr/bin/env bash
# run.sh BUILD_DIR TARGET...: runs each libFuzzer target (BUILD_DIR/fuzz/
# fuzz_<target>, from `make fuzz`) for FUZZ_SECONDS (default 30) under
# ASan+UBSan, starting from its committed corpus and regression inputs;
# new inputs go to BUILD_DIR/fuzz-corpus/<target> (never into fuzz/), a
# crashing input to BUILD_DIR/fuzz-crashes/<target>/. Prints one line per
# target with its executions per second, then fails if any target found a
# crash (copy the input into fuzz/regressions/<target>/ once it is fixed).
set -u
cd "$(dirname "$0")/.."
build=$1; shift
seconds=${FUZZ_SECONDS:-30}
# libFuzzer's own limits: an input running over 10 s or taking over 2 GiB
# of RSS counts as a finding too
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=() summary=()
for t in "$@"; do
  bin=$build/fuzz/fuzz_$t
  work=$build/fuzz-corpus/$t crashes=$build/fuzz-crashes/$t
  log=$build/fuzz-logs/$t.log
  mkdir -p "$work" "$crashes" "$(dirname "$log")"
  seeds=(fuzz/corpus/"$t")
  [[ -d fuzz/regressions/$t ]] && seeds+=(fuzz/regressions/"$t")
  echo "==== fuzz $t for ${seconds}s"
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$crashes/" "$work" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  inputs=$(find "$work" -type f | wc -l)
  line=$(printf '%-14s %10s execs in %ss: %8s execs/s, %s, %s inputs in its corpus' \
    "$t" "${execs:-?}" "$seconds" "${rate:-?}" "${cov:-cov: ?}" "$inputs")
  if [[ $rc -ne 0 ]]; then
    line="$line  FOUND A CRASH (exit $rc): $(ls "$crashes" | head -3 | tr '\n' ' ')see $log"
    failed+=("$t")
    grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|property failed' "$log"
  fi
  summary+=("$line")
done
echo
echo "fuzz results (${seconds}s per target, ASan+UBSan):"
printf '  %s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: crashes found in: ${failed[*]}"
fi
echo "fuzz: $(($# - ${#failed[@]})) passed, ${#failed[@]} failed"
[[ ${#failed[@]} -eq 0 ]]
