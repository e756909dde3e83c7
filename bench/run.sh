#!/usr/bin/env bash
# Inbound benchmark: Tern (durable spool, real fsync group commit) against Postfix's smtp-sink
# (accepts and discards), driven by the same smtp-source runs in the same invocation, then the
# memory cost of 10,000 idle connections. Everything stays on 127.0.0.1.
#
#   bench/run.sh            full run (about 3-4 minutes on 2 cores; 5 GB written to the spool)
#   bench/run.sh --quick    smaller counts (under a minute), for checking the script itself
#   bench/run.sh --keep     keep the temporary data directory (spool) afterwards
#   bench/run.sh --jfr      record a JFR file of the throughput phase into the results directory
#   bench/run.sh --limits   only the cost of the rate limits: 100 sessions x 4 KiB against two Terns,
#                           one with every rate limit off, one with them on (set far above the load, the
#                           client not exempt), alternating; prints throughput and CPU per message
#
# Environment: BENCH_WORK_DIR  parent of the temporary data dir (default bench/out; must be a real
#                              disk, not tmpfs, or the fsync figures mean nothing)
#              TERN_JAVA_OPTS  extra JVM options (passed as JDK_JAVA_OPTIONS, see start_tern)
# Results: a table on stdout; raw files (smtp-source output, Tern's log, top samples, the table as
# TSV) in bench/out/<UTC timestamp>/.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
mode=full keep=0 jfr=0 limits_only=0
for arg in "$@"; do
  case $arg in
    --quick) mode=quick ;;
    --limits) limits_only=1 ;;
    --keep) keep=1 ;;
    --jfr) jfr=1 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $arg (try --help)" >&2; exit 2 ;;
  esac
done

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

# --- tools -------------------------------------------------------------------------------------
ensure_postfix_tools() {
  if [ -x /usr/sbin/smtp-source ] && [ -x /usr/sbin/smtp-sink ]; then return; fi
  echo "bench: installing postfix for smtp-source/smtp-sink (no system MTA is configured)" >&2
  echo "postfix postfix/main_mailer_type select No configuration" | "${sudo_cmd[@]}" debconf-set-selections
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postfix >&2
}
ensure_postfix_tools
command -v python3 >/dev/null || { echo "bench: python3 is required" >&2; exit 1; }
# The same JDK selection as ./tern, so jcmd can attach to the JVM it starts.
# shellcheck source=/dev/null
. "$repo/.mvn/select-jdk.sh"
jcmd="${JAVA_HOME:+$JAVA_HOME/bin/}jcmd"
smtp_source=/usr/sbin/smtp-source
smtp_sink=/usr/sbin/smtp-sink

# 1000 sessions and 10,000 idle connections need descriptors on both ends.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge 12000 ] || echo "bench: warning: ulimit -n is $(ulimit -n); the idle test will stop early" >&2

# --- layout ------------------------------------------------------------------------------------
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results="$repo/bench/out/$stamp"
mkdir -p "$results"
work_parent=${BENCH_WORK_DIR:-$repo/bench/out}
mkdir -p "$work_parent"
work=$(mktemp -d "$work_parent/work.XXXXXX")
tern_pid="" sink_pid="" idle_pid=""

stop_pid() { # pid, seconds to wait after SIGTERM before SIGKILL
  local pid=$1 i
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < $2 * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop_pid "$idle_pid" 5
  stop_pid "${limits_off_pid:-}" 15
  stop_pid "${limits_on_pid:-}" 15
  stop_pid "$tern_pid" 15
  stop_pid "$sink_pid" 5
  if [ "$keep" = 1 ]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# --- Tern ----------------------------------------------------------------------------------------
start_tern() { # name port data-dir extra-java-opts [extra-yaml]
  local name=$1 port=$2 data=$3 opts=$4 extra=${5:-} config="$work/$1.yaml" i
  mkdir -p "$data"
  cat >"$config" <<EOF
hostname: bench.test
data-dir: $data
shutdown-grace: 5s
listeners:
  mx:
    address: 127.0.0.1
    port: $port
  submission: ~
  smtps: ~
local:
  domains: [localhost]
limits:
  max-connections: 20000
  max-connections-per-ip: 20000
  max-message-size: 4MiB
management:
  enabled: false
$extra
EOF
  # JVM options go through JDK_JAVA_OPTIONS: Tern's configuration loader refuses any unknown TERN_*
  # variable, TERN_JAVA_OPTS included, so that one is translated and removed from the environment.
  env -u TERN_JAVA_OPTS JDK_JAVA_OPTIONS="${JDK_JAVA_OPTIONS:-} ${TERN_JAVA_OPTS:-} $opts" \
    "$repo/tern" serve --config "$config" >"$results/tern-$name.log" 2>&1 &
  tern_pid=$!
  # The first start may build the jar; bound the wait generously but finitely.
  for ((i = 0; i < 6000; i++)); do
    grep -q "listening name=mx" "$results/tern-$name.log" 2>/dev/null && return 0
    kill -0 "$tern_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "bench: Tern did not start; see $results/tern-$name.log" >&2
  tail -20 "$results/tern-$name.log" >&2
  exit 1
}
queued_count() { grep -c "queued id=" "$tern_log" || true; }

# --- one measured run ------------------------------------------------------------------------------
# run_source TARGET(tern|sink) PORT CASE COUNT ARGS... ; prints "seconds rate"
run_source() {
  local target=$1 port=$2 name=$3 count=$4 before after start end rc
  shift 4
  [ "$target" = tern ] && before=$(queued_count)
  start=$(date +%s.%N)
  set +e
  timeout 300 "$smtp_source" "$@" -m "$count" -f sender@bench.test -t user@bench.test \
    "127.0.0.1:$port" >"$results/$name-$target.out" 2>&1
  rc=$?
  set -e
  end=$(date +%s.%N)
  if [ "$rc" -ne 0 ] || grep -qiE "fatal|error|warning" "$results/$name-$target.out"; then
    echo "bench: smtp-source against $target failed in case $name (exit $rc):" >&2
    tail -5 "$results/$name-$target.out" >&2
    exit 1
  fi
  if [ "$target" = tern ]; then
    after=$(queued_count)
    if [ $((after - before)) -ne "$count" ]; then
      echo "bench: case $name: Tern logged $((after - before)) 'queued' lines, expected $count" >&2
      exit 1
    fi
  fi
  awk -v s="$start" -v e="$end" -v n="$count" 'BEGIN { printf "%.2f %.0f\n", e - s, n / (e - s) }'
}

sample_tern() { # case: a per-thread CPU snapshot a few seconds into the run
  (sleep 4; top -H -b -n 2 -d 2 -p "$tern_pid" >"$results/top-$1.txt" 2>&1) &
}

# --- the cost of the rate limits -------------------------------------------------------------------
# CPU time of a process in milliseconds (user + system), from /proc.
cpu_ms() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f\n", ($14 + $15) * 1000 / hz }' "/proc/$1/stat"
}

# Two Terns, identical but for the rate limits: off (every limit 0, nothing counted) and on (every limit
# far above the load). Loopback is not a trusted network in either, so the client is not exempt, and
# bench.test is a local domain so that nothing needs relay permission. Runs alternate off, on, on, off.
limits_cost() {
  local half pairs rounds pair round name common off_yaml on_yaml port_off port_on pid_off pid_on
  pairs=$([ "$mode" = full ] && echo 3 || echo 1)
  rounds=$([ "$mode" = full ] && echo 4 || echo 1)
  half=$([ "$mode" = full ] && echo 10000 || echo 1000)
  common=$'delivery:\n  enabled: false\nrelay:\n  trusted-networks: [192.0.2.0/24]'
  off_yaml=$(printf '%s\nrate-limits: {connections-per-minute: 0, messages-per-minute: 0, recipients-per-minute: 0, tls-handshakes-per-minute: 0, auth-failures: 0, auth-failures-per-user: 0}' "$common")
  on_yaml=$(printf '%s\nrate-limits: {connections-per-minute: 1000000000, messages-per-minute: 1000000000, recipients-per-minute: 1000000000, tls-handshakes-per-minute: 1000000000}' "$common")
  local runs="$results/limits-runs.tsv"
  printf "limits\tseconds\tcpu_ms\tmessages\n" >"$runs"
  # Several pairs of fresh JVMs (which one starts first alternates), since two JVMs of one jar can differ
  # by a few percent by how the JIT went; within a pair, rounds of off, on, on, off, so that a change in
  # the machine's load weighs on both alike. The medians of all runs are compared.
  for ((pair = 0; pair < pairs; pair++)); do
    # The base configuration of start_tern names local and limits already: these two come from the
    # environment, which Tern lays over the file.
    export TERN_LOCAL_DOMAINS=bench.test TERN_LIMITS_MAX_MESSAGES_PER_SESSION=1000000000
    for name in $([ $((pair % 2)) = 0 ] && echo "off on" || echo "on off"); do
      local port
      port=$(free_port)
      start_tern "limits-$name-$pair" "$port" "$work/$name-$pair" "" "$([ "$name" = off ] && echo "$off_yaml" || echo "$on_yaml")"
      if [ "$name" = off ]; then port_off=$port pid_off=$tern_pid limits_off_pid=$tern_pid; else port_on=$port pid_on=$tern_pid limits_on_pid=$tern_pid; fi
    done
    unset TERN_LOCAL_DOMAINS TERN_LIMITS_MAX_MESSAGES_PER_SESSION
    for name in off on; do # warm-up, not measured
      tern_log="$results/tern-limits-$name-$pair.log"
      run_source tern "$([ "$name" = off ] && echo "$port_off" || echo "$port_on")" "warm-$name-$pair" "$half" -s 100 -l 4096 -d >/dev/null
    done
    for ((round = 0; round < rounds; round++)); do
      for name in off on on off; do
        local pid port before after out
        pid=$([ "$name" = off ] && echo "$pid_off" || echo "$pid_on")
        port=$([ "$name" = off ] && echo "$port_off" || echo "$port_on")
        tern_log="$results/tern-limits-$name-$pair.log"
        before=$(cpu_ms "$pid")
        out=$(run_source tern "$port" "limits-$name-$pair-$round-$RANDOM" "$half" -s 100 -l 4096 -d)
        after=$(cpu_ms "$pid")
        printf "%s\t%s\t%s\t%s\n" "$name" "${out%% *}" $((after - before)) "$half" >>"$runs"
      done
    done
    stop_pid "$pid_off" 15
    stop_pid "$pid_on" 15
    limits_off_pid="" limits_on_pid="" tern_pid=""
  done
  python3 - "$runs" "$pairs" <<'PY' | tee "$results/limits.txt"
import statistics, sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines()[1:]]
by = {"off": [], "on": []}
for name, secs, cpu, n in rows:
    by[name].append((int(n) / float(secs), int(cpu) * 1000 / int(n)))
print(f"\nrate limits, 100 sessions x 4 KiB: {sys.argv[2]} pairs of Terns, {len(by['off'])} runs of {rows[0][3]} messages each way:")
for name in ("off", "on"):
    rates = [r for r, _ in by[name]]
    cpus = [c for _, c in by[name]]
    print(f"  limits {name:<3}  median {statistics.median(rates):6.0f} msg/s   Tern CPU median {statistics.median(cpus):6.1f} us/message"
          f" (runs {min(cpus):.1f}..{max(cpus):.1f})")
off = statistics.median(c for _, c in by["off"])
on = statistics.median(c for _, c in by["on"])
print(f"  CPU per message with the limits on: {(on - off) * 100 / off:+.1f}% (medians)")
PY
  if grep -h "refused" "$results"/tern-limits-*.log; then
    echo "bench: a limit refused the bench client" >&2
    exit 1
  fi
}

# --- cases -----------------------------------------------------------------------------------------
# name | count full | count quick | smtp-source flags
cases=(
  "4k-s1-reuse|16000|800|-s 1 -l 4096 -d"
  "4k-s10-reuse|40000|2000|-s 10 -l 4096 -d"
  "4k-s100-reuse|70000|4000|-s 100 -l 4096 -d"
  "4k-s1000-reuse|70000|4000|-s 1000 -l 4096 -d"
  "1m-s10-reuse|2500|150|-s 10 -l 1048576 -d"
  "4k-s100-noreuse|25000|1500|-s 100 -l 4096"
)

{
  echo "date: $(date -u +%FT%TZ)  mode: $mode"
  echo "host: $(uname -srm)  nproc: $(nproc)"
  "${JAVA_HOME:+$JAVA_HOME/bin/}java" -version 2>&1 | head -1
  free -h | sed -n 2p
  echo "work dir: $work"
  df -h "$work" | tail -1
  findmnt -n -o FSTYPE,OPTIONS --target "$work" 2>/dev/null || echo "(findmnt unavailable)"
} | tee "$results/machine.txt"

if [ "$limits_only" = 1 ]; then
  limits_cost
  exit 0
fi

tern_port=$(free_port)
sink_port=$(free_port)
jfr_opts=""
[ "$jfr" = 1 ] && jfr_opts="-XX:StartFlightRecording=filename=$results/tern.jfr,settings=profile"
# The inbound cases measure acceptance only: messages stay in the spool.
start_tern throughput "$tern_port" "$work/data" "$jfr_opts" $'delivery:\n  enabled: false'
tern_log="$results/tern-throughput.log"
sink_opts=(-m 2000)
[ "$(id -u)" -eq 0 ] && sink_opts+=(-u nobody)
"$smtp_sink" "${sink_opts[@]}" "127.0.0.1:$sink_port" 2048 >"$results/smtp-sink.out" 2>&1 &
sink_pid=$!
sleep 0.5
kill -0 "$sink_pid" 2>/dev/null || { echo "bench: smtp-sink did not start" >&2; cat "$results/smtp-sink.out" >&2; exit 1; }

# JIT warm-up for Tern, not measured (smtp-sink is native code and needs none).
warm=$([ "$mode" = full ] && echo 8000 || echo 1000)
run_source tern "$tern_port" warmup "$warm" -s 20 -l 4096 -d >/dev/null

table="$results/results.tsv"
printf "case\tmessages\ttern_s\ttern_msg_per_s\tsink_s\tsink_msg_per_s\tratio\tload1\n" >"$table"
printf "\n%-17s %8s %8s %10s %8s %10s %7s %6s\n" case messages tern_s tern_msg/s sink_s sink_msg/s ratio load1
for spec in "${cases[@]}"; do
  IFS='|' read -r name full quick flags <<<"$spec"
  count=$([ "$mode" = full ] && echo "$full" || echo "$quick")
  load=$(cut -d' ' -f1 /proc/loadavg)
  [ "$name" = 4k-s100-reuse ] && sample_tern "$name"
  # Two halves in the order Tern, sink, sink, Tern, so a change in the machine's load during the
  # case (other jobs share it) weighs on both servers alike. A failed half exits the script
  # (set -e applies to the substitutions).
  half=$((count / 2))
  # shellcheck disable=SC2086
  t1=$(run_source tern "$tern_port" "$name-a" "$half" $flags)
  # shellcheck disable=SC2086
  s1=$(run_source sink "$sink_port" "$name-a" "$half" $flags)
  # shellcheck disable=SC2086
  s2=$(run_source sink "$sink_port" "$name-b" "$half" $flags)
  # shellcheck disable=SC2086
  t2=$(run_source tern "$tern_port" "$name-b" "$half" $flags)
  count=$((half * 2))
  read -r tern_s tern_rate < <(echo "$t1 $t2" | awk -v n="$count" '{ printf "%.2f %.0f\n", $1 + $3, n / ($1 + $3) }')
  read -r sink_s sink_rate < <(echo "$s1 $s2" | awk -v n="$count" '{ printf "%.2f %.0f\n", $1 + $3, n / ($1 + $3) }')
  ratio=$(awk -v t="$tern_rate" -v s="$sink_rate" 'BEGIN { printf "%.2f", t / s }')
  printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$name" "$count" "$tern_s" "$tern_rate" "$sink_s" "$sink_rate" "$ratio" "$load" >>"$table"
  printf "%-17s %8s %8s %10s %8s %10s %7s %6s\n" "$name" "$count" "$tern_s" "$tern_rate" "$sink_s" "$sink_rate" "$ratio" "$load"
done
du -sh "$work/data/spool" | sed 's/^/spool size after run: /' | tee -a "$results/machine.txt"

stop_pid "$tern_pid" 15
tern_pid=""
rm -rf "$work/data"

# --- relay: smtp-source -> Tern -> smtp-sink ---------------------------------------------------------
# Tern routes bench.test to smtp-sink (plain SMTP, connection reuse); the rate counts until the last
# message was delivered, not just accepted.
relay_count=$([ "$mode" = full ] && echo 20000 || echo 2000)
relay_port=$(free_port)
start_tern relay "$relay_port" "$work/relay-data" "" \
  "$(printf 'delivery:\n  max-connections-per-destination: 20\n  routes:\n    bench.test: "127.0.0.1:%s none"' "$sink_port")"
tern_log="$results/tern-relay.log"
relay_start=$(date +%s.%N)
run_source tern "$relay_port" relay "$relay_count" -s 100 -l 4096 -d >"$results/relay-accept.txt"
relay_accepted=$(date +%s.%N)
delivered=0
for ((i = 0; i < 3000; i++)); do
  delivered=$(grep -c "domain=bench.test rcpts=1 delivered=1" "$tern_log" || true)
  [ "$delivered" -ge "$relay_count" ] && break
  sleep 0.1
done
relay_end=$(date +%s.%N)
if [ "$delivered" -lt "$relay_count" ]; then
  echo "bench: relay: only $delivered of $relay_count messages delivered to smtp-sink" >&2
  exit 1
fi
awk -v s="$relay_start" -v a="$relay_accepted" -v e="$relay_end" -v n="$relay_count" 'BEGIN {
  printf "\nrelay (100 sessions x 4 KiB, route to smtp-sink): %d messages, accepted in %.2f s (%.0f msg/s), all delivered after %.2f s (%.0f msg/s end to end)\n", n, a - s, n / (a - s), e - s, n / (e - s)
}' | tee "$results/relay.txt"
stop_pid "$tern_pid" 15
tern_pid=""
rm -rf "$work/relay-data"
stop_pid "$sink_pid" 5
sink_pid=""

# --- idle connections ------------------------------------------------------------------------------
# A fresh Tern, so the figures are not inflated by what the throughput phase left in the heap.
idle_total=$([ "$mode" = full ] && echo 10000 || echo 3000)
idle_port=$(free_port)
start_tern idle "$idle_port" "$work/idle-data" ""
sleep 2
idle_raw="$results/idle.tsv"
python3 "$repo/bench/idle_conns.py" 127.0.0.1 "$idle_port" "$tern_pid" "$jcmd" 1000 "$idle_total" \
  >"$idle_raw" 2>"$results/idle.err" &
idle_pid=$!
idle_failed=0
if ! wait "$idle_pid"; then
  idle_failed=1
  echo "bench: idle-connection test failed:" >&2
  cat "$results/idle.err" >&2
fi
idle_pid=""
printf "\n%11s %9s %10s %16s %17s\n" connections rss_MiB heap_MiB rss_KiB/1000conn heap_KiB/1000conn
awk -F'\t' 'NR == 2 { r0 = $2; h0 = $3 }
  NR >= 2 {
    per_r = $1 > 0 ? ($2 - r0) * 1000 / $1 : 0
    per_h = $1 > 0 ? ($3 - h0) * 1000 / $1 : 0
    printf "%11d %9.1f %10.1f %16.0f %17.0f\n", $1, $2 / 1024, $3 / 1024, per_r, per_h
  }' "$idle_raw" | tee "$results/idle-table.txt"
echo
echo "raw results: $results" >&2
exit "$idle_failed"
