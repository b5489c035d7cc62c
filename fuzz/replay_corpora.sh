#!/usr/bin/env bash
# replay_corpora.sh: the fuzz smoke of `make test`: every fuzz target
# replays its committed corpus (fuzz/corpus/<target>) and its regression
# inputs (fuzz/regressions/<target>) once, with the build under test
# ($BUILD/fuzz/replay_<target>: the plain build, or ASan+UBSan with
# SANITIZE=1). A crash, a sanitizer report or a failed property fails it.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
failed=0 targets=0
for src in fuzz/fuzz_*.c; do
  t=$(basename "$src" .c); t=${t#fuzz_}
  bin=$BUILD/fuzz/replay_$t
  targets=$((targets + 1))
  if [[ ! -x $bin ]]; then echo "FAIL $t: $bin is not built"; failed=$((failed + 1)); continue; fi
  if [[ ! -d fuzz/corpus/$t ]]; then echo "FAIL $t: no fuzz/corpus/$t"; failed=$((failed + 1)); continue; fi
  if out=$("$bin" "fuzz/corpus/$t" "fuzz/regressions/$t" 2>&1); then
    echo "ok $t: ${out##*: }"
  else
    echo "FAIL $t:"; echo "$out" | tail -30
    failed=$((failed + 1))
  fi
done
echo "fuzz corpora: $((targets - failed)) of $targets targets replayed cleanly"
[[ $failed -eq 0 && $targets -gt 0 ]]
