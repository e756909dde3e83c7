#!/usr/bin/env bash
# Fuzzing campaigns with Jazzer: each target (a @FuzzTest method) in turn, for a fixed time.
#
#   fuzz/run.sh [--minutes N | --seconds N] [--total-seconds N] [TARGET...]
#
# TARGET is a class (InboundDecoderFuzzTest), a method (RoundTripFuzzTest#xtextRoundTrip) or a part of
# either (Round); without one every target runs. --total-seconds caps the whole run: each target then
# gets at most its share. Logs go to fuzz/out/<target>.log; each target's last libFuzzer status line
# (executions, exec/s, cov, ft) is printed. New corpus entries land in <module>/.cifuzz-corpus/ (not
# committed); a crashing input is written next to the seeds in src/test/resources/.../<Class>Inputs/
# <method>/crash-*, and the target fails. See docs/testing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

# module:Class#method, one per fuzz target.
TARGETS="
smtp-core:dev.tern.smtp.codec.InboundDecoderFuzzTest#decodesTheSameHoweverSplit
smtp-core:dev.tern.smtp.codec.ReplyDecoderFuzzTest#decodesRepliesTheSameHoweverSplit
smtp-core:dev.tern.smtp.codec.RoundTripFuzzTest#commandRoundTrip
smtp-core:dev.tern.smtp.codec.RoundTripFuzzTest#replyRoundTrip
smtp-core:dev.tern.smtp.codec.RoundTripFuzzTest#mailboxRoundTrip
smtp-core:dev.tern.smtp.codec.RoundTripFuzzTest#xtextRoundTrip
smtp-core:dev.tern.smtp.codec.RoundTripFuzzTest#dotStuffingRoundTrip
smtp-relay:dev.tern.relay.spool.SegmentReplayFuzzTest#replaysArbitraryOctets
smtp-relay:dev.tern.relay.spool.SegmentReplayFuzzTest#replaysDamagedSegment
smtp-relay:dev.tern.relay.dsn.DsnBuilderFuzzTest#buildsAWellFormedReport
smtp-server:dev.tern.server.smtp.HeaderScanFuzzTest#scansLikeTheRfcReads
smtp-server:dev.tern.server.config.ConfigLoaderFuzzTest#loadsOrNamesTheKey
smtp-server:dev.tern.server.management.AdminRequestFuzzTest#answersEveryRequestNamingWhatIsWrong
smtp-server:dev.tern.server.smtp.TraceHeadersFuzzTest#writesOneFieldThatReadsBack
"

seconds=600
total=0
selected=()
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) seconds=$(( $2 * 60 )); shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --total-seconds) total=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) selected+=("$1"); shift ;;
  esac
done

chosen=()
for target in $TARGETS; do
  if [ ${#selected[@]} -eq 0 ]; then
    chosen+=("$target")
    continue
  fi
  for s in "${selected[@]}"; do
    case "$target" in *"$s"*) chosen+=("$target"); break ;; esac
  done
done
[ ${#chosen[@]} -gt 0 ] || { echo "fuzz: no target matches ${selected[*]}" >&2; exit 2; }
if [ "$total" -gt 0 ] && [ $(( total / ${#chosen[@]} )) -lt "$seconds" ]; then
  seconds=$(( total / ${#chosen[@]} ))
fi
[ "$seconds" -ge 1 ] || seconds=1

mkdir -p fuzz/out
failed=0
for target in "${chosen[@]}"; do
  module=${target%%:*}
  test=${target#*:}
  name=${test##*.}
  log="fuzz/out/${name/\#/.}.log"
  echo "fuzz: $name for ${seconds}s (log: $log)" >&2
  # JAZZER_FUZZ fuzzes the one selected @FuzzTest; jazzer.hooks turns the coverage instrumentation on
  # (the normal build replays corpora without it). libFuzzer takes the last -max_total_time it is
  # given, so the one passed here wins over the @FuzzTest(maxDuration) of the class. A bounded heap
  # keeps a long campaign from taking the machine's memory.
  status=0
  JAZZER_FUZZ=1 ./mvnw -B -ntp -o -pl "$module" -am test \
    -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
    -Djazzer.hooks=true -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time="$seconds" \
    "-Dsurefire.argLine=-Dio.netty.leakDetection.level=paranoid -XX:+EnableDynamicAgentLoading -Xmx1g -XX:MaxDirectMemorySize=512m" \
    >"$log" 2>&1 || status=$?
  # -a: a log that echoes fuzzed octets is binary to grep.
  summary=$(grep -a -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
  runs=$(grep -a -E '^Done [0-9]+ runs' "$log" | tail -1 || true)
  if [ $status -ne 0 ]; then
    failed=1
    echo "fuzz: $name FAILED: $(grep -a -E 'crash-|Caused by' "$log" | head -2 | tr '\n' ' ')" >&2
  fi
  echo "$name: ${summary:-no status line} | ${runs:-}"
done
exit $failed
