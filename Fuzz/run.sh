#!/usr/bin/env bash
# Builds the libFuzzer harness for the bounce parser and runs it.
#   Fuzz/run.sh [SECONDS] [extra libFuzzer flags...]      (default 60 seconds)
# Corpus: Fuzz/corpus/bounce (seeded from Tests/BounceSamples); crashes go to
# Fuzz/artifacts/. Exit status is libFuzzer's (0 = no crash, leak or timeout).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
out=".build-fuzz"
mkdir -p "$out" Fuzz/corpus/bounce Fuzz/artifacts
cp -n Tests/BounceSamples/*.eml Fuzz/corpus/bounce/ 2>/dev/null || true

swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
    -module-name OutboxCoreFuzz \
    Sources/OutboxCore/Bounces/*.swift \
    Sources/OutboxCore/Delivery/EnhancedStatusCode.swift \
    Fuzz/BounceFuzz/main.swift \
    -o "$out/bounce-fuzz"

log="$out/bounce-fuzz.log"
set +e
"$out/bounce-fuzz" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix=Fuzz/artifacts/ "$@" Fuzz/corpus/bounce 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
echo "----"
grep -E "^#[0-9]+.*(DONE|pulse)" "$log" | tail -1 || true
grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb" "$log" || true
if [ "$status" -eq 0 ]; then echo "no crash in ${seconds}s"; else echo "FAILED (status $status): see Fuzz/artifacts/"; fi
exit "$status"
