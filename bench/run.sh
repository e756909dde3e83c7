#!/usr/bin/env bash
# Inbound benchmark: Tern (durable spool, real fsync group commit) against Postfix's smtp-sink
# (accepts and discards) and bench/durable-sink.c (answers at once like smtp-sink, but writes every
# message to one file and flushes it before its "250": what a durable store costs this machine's disk,
# with nothing else of a mail server), driven by the same smtp-source runs in the same invocation, then
# the memory cost of 19,000 idle connections and 10,000 sessions sending at once. Everything stays on
# loopback (127.0.0.0/8).
#
#   bench/run.sh            full run (about 8 minutes on 2 cores; 5 GB written to the spool)
#   bench/run.sh --quick    smaller counts (about a minute), for checking the script itself (.ci/run runs it)
#   bench/run.sh --keep     keep the temporary data directory (spool) afterwards
#   bench/run.sh --jfr      record a JFR file of the throughput phase into the results directory
#   bench/run.sh --profile  profile Tern's CPU during each inbound case with async-profiler (from Maven
#                           Central, tools.profiler:async-profiler, fetched once into ~/.m2): a flame graph
#                           flame-CASE.html and the collapsed stacks profile-CASE.txt per case; with
#                           --relay, each build's measured rounds (flame-relay-buildN.html,
#                           profile-relay-buildN.txt)
#   bench/run.sh --limits   only the cost of the rate limits: 100 sessions x 4 KiB against two Terns,
#                           one with every rate limit off, one with them on (set far above the load, the
#                           client not exempt), alternating; prints throughput and CPU per message
#   bench/run.sh --relay    only relaying by MX: smtp-source -> Tern -> smtp-sink, 100 sessions x 4 KiB,
#                           the mail exchanger found through a DNS responder on loopback (dnsmasq, or
#                           bench/dns_mx.py without it) that Tern uses alone; counts until smtp-sink has
#                           every message; prints end-to-end msg/s, Tern's accept rate in the same run
#                           and the CPU of Tern and smtp-sink per message, medians of BENCH_ROUNDS rounds
#                           after four unmeasured rounds per Tern (the JIT; one for Postfix);
#                           a private Postfix (own config dir, queue on disk) relays the same load to the
#                           same sink in turn with Tern, and the ratio is printed
#   bench/run.sh --inbound  only inbound cases, with the builds of BENCH_TERN_DIR, smtp-sink and durable-sink taking turns
#                           case by case and round by round (the order reversed every other round), each
#                           build having had one unmeasured turn of the case first (the JIT); prints
#                           msg/s and the server's own CPU us per message per build, and each build's ratio
#                           to smtp-sink; with 4k-s1-reuse, the disk's time for one flush of 4 KiB and the
#                           share of smtp-sink's rate one flush per message leaves; with --profile a flame
#                           graph per build and case
#   bench/run.sh --phases   with --inbound and 4k-s1-reuse: one more turn of that case per build and for
#                           smtp-sink under `perf sched record` (Debian's linux-perf, installed when
#                           missing; without it the step is skipped), not counted in the
#                           table; bench/phases.py prints where a message's time goes between the
#                           wake-ups of the event loop, the spool writer and the client (phases.txt)
#   bench/run.sh --idle     only the idle connections (19,000; 3,000 with --quick) and 10,000 sessions
#                           sending at once (2,000 with --quick), from 4 client processes
#   bench/run.sh --relay-dkim  the same relay case with three Terns of this checkout taking turns: one
#                           signing nothing, one signing every message with rsa-2048, one with ed25519
#                           (smtp-source's From: is in bench.test, the domain given the key)
#
# Environment: BENCH_WORK_DIR  parent of the temporary data dir (default bench/out; must be a real
#                              disk, not tmpfs, or the fsync figures mean nothing)
#              TERN_JAVA_OPTS  extra JVM options (passed as JDK_JAVA_OPTIONS, see start_tern)
#              BENCH_ROUNDS    --relay: measured rounds per build (default 3; the median is printed);
#                              --inbound: rounds per case (default 4; sums over the rounds are printed)
#              BENCH_TERN_DIR  --relay, --inbound: the checkout(s) whose smtp-server/target/tern.jar to run,
#                              separated by ':' to compare builds in one run (default: this checkout);
#                              --inbound: DIR@tmpfs runs that build with its spool in /dev/shm, where a
#                              flush costs nothing: beside the same build on disk it shows what the disk's
#                              flushes cost (not a configuration to run mail on)
#              BENCH_PROFILE   --profile: what async-profiler samples (default event=cpu,interval=1ms;
#                              event=alloc,alloc=64k for where the heap goes)
#              BENCH_CASES     --inbound: the cases to run, separated by spaces (default: 4k-s100-reuse
#                              4k-s100-noreuse 4k-s1-reuse 1m-s10-reuse; any name of the case table)
# Results: a table on stdout (msg/s, and CPU microseconds per message for Tern and smtp-sink: "box", the
# whole machine's busy CPU minus smtp-source's, and "own", the server process's); raw files
# (smtp-source output, Tern's log, top samples, the table as TSV) in bench/out/<UTC timestamp>/.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
mode=full keep=0 jfr=0 profile=0 phases=0 limits_only=0 relay_only=0 relay_dkim=0 idle_only=0 inbound_only=0
for arg in "$@"; do
  case $arg in
    --quick) mode=quick ;;
    --limits) limits_only=1 ;;
    --relay) relay_only=1 ;;
    --relay-dkim) relay_only=1 relay_dkim=1 ;;
    --idle) idle_only=1 ;;
    --inbound) inbound_only=1 ;;
    --keep) keep=1 ;;
    --jfr) jfr=1 ;;
    --profile) profile=1 ;;
    --phases) phases=1 ;;
    -h|--help) sed -n '2,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
# /usr/bin/time measures smtp-source's own CPU (the CPU-per-message columns).
if [ ! -x /usr/bin/time ]; then
  echo "bench: installing time for /usr/bin/time" >&2
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >&2
fi
# --phases records the scheduler with perf (Debian's linux-perf).
if [ "$phases" = 1 ] && ! command -v perf >/dev/null; then
  echo "bench: installing linux-perf for --phases" >&2
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q linux-perf >&2 || true
fi
command -v python3 >/dev/null || { echo "bench: python3 is required" >&2; exit 1; }
# durable-sink is built from bench/durable-sink.c with the C compiler.
if ! command -v cc >/dev/null; then
  echo "bench: installing gcc to build bench/durable-sink.c" >&2
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q gcc libc6-dev >&2
fi
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
tern_pid="" sink_pid="" dsink_pid="" idle_pid="" dns_pid="" perf_pid="" relay_pids=() tmpfs_dirs=()

stop_pid() { # pid, seconds to wait after SIGTERM before SIGKILL
  local pid=$1 i
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < $2 * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop_pid "$perf_pid" 5
  stop_pid "$idle_pid" 5
  stop_pid "${limits_off_pid:-}" 15
  stop_pid "${limits_on_pid:-}" 15
  stop_pid "$tern_pid" 15
  for pid in "${relay_pids[@]}"; do stop_pid "$pid" 15; done
  declare -F stop_postfix >/dev/null && stop_postfix
  stop_pid "$sink_pid" 5
  stop_pid "$dsink_pid" 5
  stop_pid "$dns_pid" 5
  if [ "$keep" = 1 ]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
  [ ${#tmpfs_dirs[@]} -eq 0 ] || rm -rf "${tmpfs_dirs[@]}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free port below the kernel's ephemeral range, so that no client connection (this run's or another
# program's) takes it as its local port between this check and the server's bind.
free_port() {
  python3 - <<'PY'
import random, socket
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(1000):
    port = random.randrange(10000, max(10001, low))
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
else:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])
PY
}

# What a build directory holds: the commit of its checkout, or "not a git checkout" (a copied jar, for example
# one inside another checkout's bench/out).
build_label() {
  local top
  top=$(git -C "$1" rev-parse --show-toplevel 2>/dev/null || true)
  if [ -n "$top" ] && [ "$(cd "$1" && pwd -P)" = "$(cd "$top" && pwd -P)" ]; then
    git -C "$1" log -1 --format='%h %cs'
  else
    echo "not a git checkout"
  fi
}

# --- durable-sink ------------------------------------------------------------------------------------
# Builds bench/durable-sink.c and starts it on 127.0.0.1:PORT (sets dsink_pid). Its file is in the work
# directory, beside Tern's spool, written with zeros ahead first (512 MiB; 64 with --quick), so its
# flushes are of the same disk and file system as Tern's.
start_durable_sink() {
  local i
  cc -O2 -Wall -pthread -o "$work/durable-sink" "$repo/bench/durable-sink.c"
  "$work/durable-sink" 127.0.0.1 "$1" "$work/durable-sink.data" "$([ "$mode" = full ] && echo 512 || echo 64)" \
    >"$results/durable-sink.out" 2>&1 &
  dsink_pid=$!
  for ((i = 0; i < 600; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$dsink_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "bench: durable-sink did not start" >&2
  cat "$results/durable-sink.out" >&2
  exit 1
}

# --- Tern ----------------------------------------------------------------------------------------
start_tern() { # name port data-dir extra-java-opts [extra-yaml]; runs $tern_dir's build (default this checkout)
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
    "${tern_dir:-$repo}/tern" serve --config "$config" >"$results/tern-$name.log" 2>&1 &
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
# CPU time of a process in milliseconds (user + system), from /proc; 0 without a process.
cpu_ms() {
  local ms=""
  # A process that exits meanwhile (one of Postfix's daemons) counts 0 here; its parent has its time.
  [ -n "$1" ] && ms=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f\n", ($14 + $15) * 1000 / hz }' "/proc/$1/stat" 2>/dev/null || true)
  echo "${ms:-0}"
}

# CPU time of a process's threads in milliseconds, by thread name with its numbers taken out (tern-io-3-1
# and tern-io-3-2 are one group): lines "GROUP USER_MS SYSTEM_MS", sorted; nothing without a process.
thread_cpu_ms() {
  local t
  [ -n "$1" ] || return 0
  for t in /proc/"$1"/task/*; do
    # comm may hold spaces ("C2 CompilerThread0"); the fields after ") " are fixed.
    printf '%s %s\n' "$(tr ' ' '_' <"$t/comm" 2>/dev/null)" "$(sed 's/.*) //' "$t/stat" 2>/dev/null)"
  done | awk -v hz="$(getconf CLK_TCK)" 'NF > 13 { g = $1; gsub(/[-#]?[0-9]+/, "", g); u[g] += $13; s[g] += $14 }
    END { for (g in u) printf "%s %.0f %.0f\n", g, u[g] * 1000 / hz, s[g] * 1000 / hz }' | sort
}

# Busy CPU time of the whole machine in milliseconds, all cores: user, nice, system, irq and softirq
# jiffies of /proc/stat's first line (idle, iowait and steal are not busy).
box_busy_ms() {
  awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { printf "%.0f\n", ($2 + $3 + $4 + $7 + $8) * 1000 / hz; exit }' /proc/stat
}

# run_source TARGET(tern|sink|dsink) PORT CASE COUNT ARGS... ; prints "seconds rate box_ms client_ms server_ms client_faults":
# the wall time, the rate, the machine's busy CPU during the run, smtp-source's own CPU (user + system,
# from /usr/bin/time) and the server process's CPU, all in milliseconds.
run_source() {
  local target=$1 port=$2 name=$3 count=$4 before after start end rc box0 box1 srv0 srv1 srv_pid client_ms faults i
  shift 4
  [ "$target" = tern ] && before=$(queued_count)
  case $target in
    tern) srv_pid=${server_pid:-$tern_pid} ;;
    dsink) srv_pid=${server_pid:-$dsink_pid} ;;
    *) srv_pid=${server_pid:-$sink_pid} ;;
  esac
  srv0=$(cpu_ms "$srv_pid")
  thread_cpu_ms "$srv_pid" >"$results/$name-$target.threads0"
  box0=$(box_busy_ms)
  start=$(date +%s.%N)
  set +e
  # smtp-source's malloc gives freed memory back to the system and takes it again (page faults that cost it
  # CPU the server then lacks, more in some runs than others); with its trimming off it is quieter.
  /usr/bin/time -f '%U %S %R' -o "$results/$name-$target.time" \
    env MALLOC_TRIM_THRESHOLD_=67108864 MALLOC_MMAP_THRESHOLD_=67108864 timeout 300 "$smtp_source" "$@" -m "$count" -f sender@bench.test -t user@bench.test \
    "127.0.0.1:$port" >"$results/$name-$target.out" 2>&1
  rc=$?
  set -e
  end=$(date +%s.%N)
  box1=$(box_busy_ms)
  srv1=$(cpu_ms "$srv_pid")
  thread_cpu_ms "$srv_pid" >"$results/$name-$target.threads1"
  client_ms=$(awk 'NF == 3 && $1 ~ /^[0-9.]+$/ { printf "%.0f\n", ($1 + $2) * 1000 }' "$results/$name-$target.time" | tail -1)
  # smtp-source's minor page faults: its malloc gives memory back and takes it again, more in some runs
  # than in others, which costs it CPU of its own that the server's rate then pays for.
  faults=$(awk 'NF == 3 && $1 ~ /^[0-9.]+$/ { print $3 }' "$results/$name-$target.time" | tail -1)
  if [ "$rc" -ne 0 ] || grep -qiE "fatal|error|warning" "$results/$name-$target.out"; then
    echo "bench: smtp-source against $target failed in case $name (exit $rc):" >&2
    tail -5 "$results/$name-$target.out" >&2
    exit 1
  fi
  if [ "$target" = tern ]; then
    # Tern's log writer writes its lines in batches (at most 20 ms apart): give the last ones a moment.
    for ((i = 0; i < 50; i++)); do
      after=$(queued_count)
      [ $((after - before)) -lt "$count" ] || break
      sleep 0.1
    done
    if [ $((after - before)) -ne "$count" ]; then
      echo "bench: case $name: Tern logged $((after - before)) 'queued' lines, expected $count" >&2
      exit 1
    fi
  fi
  awk -v s="$start" -v e="$end" -v n="$count" -v b=$((box1 - box0)) -v c="${client_ms:-0}" -v p=$((srv1 - srv0)) \
    -v f="${faults:-0}" 'BEGIN { printf "%.3f %.0f %d %d %d %d\n", e - s, n / (e - s), b, c, p, f }'
}

# JIT warm-up of a Tern (PID PORT LABEL), not measured: 120,000 messages, about what a Tern takes before its
# compilers fall quiet (in shorter warm-ups they still took 7-30 us per message of the measured turns),
# 30,000 connections of one message each (after 6,000 the compilers still took 12-29 us per message of
# that case's measured turns, after 30,000 they are quiet), and 60 messages of 1 MiB. Uses tern_log.
warm_tern() {
  server_pid=$1 run_source tern "$2" "warm-$3" "$([ "$mode" = full ] && echo 120000 || echo 1000)" -s 100 -l 4096 -d >/dev/null
  server_pid=$1 run_source tern "$2" "warm-noreuse-$3" "$([ "$mode" = full ] && echo 30000 || echo 300)" -s 100 -l 4096 >/dev/null
  server_pid=$1 run_source tern "$2" "warm1m-$3" "$([ "$mode" = full ] && echo 60 || echo 10)" -s 10 -l 1048576 -d >/dev/null
}

# The disk's flushed write bandwidth where the spool is, in MB/s (10^6 octets): 512 MiB of zeros with one
# fdatasync at the end, as dd reports it.
disk_write_mb_s() {
  local out secs
  out=$(LC_ALL=C dd if=/dev/zero of="$work/ddtest" bs=1M count=512 conv=fdatasync 2>&1)
  rm -f "$work/ddtest"
  echo "$out" >"$results/dd.txt"
  secs=$(echo "$out" | sed -n 's/.* copied, \([0-9.]*\) s,.*/\1/p')
  [ -n "$secs" ] || { echo "bench: cannot read dd's output: $out" >&2; exit 1; }
  awk -v s="$secs" 'BEGIN { printf "%.1f\n", 536870912 / s / 1e6 }'
}

# The disk's time for one flush of 4 KiB over blocks already written, in microseconds: what the spool's
# group commit of a lone message waits for (its file is kept written with zeros ahead). 2,000 writes with
# O_DSYNC into a file written and flushed beforehand, as dd reports them.
disk_flush_us() {
  local out secs
  LC_ALL=C dd if=/dev/zero of="$work/ddflush" bs=1M count=8 conv=fdatasync 2>/dev/null
  out=$(LC_ALL=C dd if=/dev/zero of="$work/ddflush" bs=4k count=2000 oflag=dsync conv=notrunc 2>&1)
  rm -f "$work/ddflush"
  echo "$out" >"$results/dd-flush.txt"
  secs=$(echo "$out" | sed -n 's/.* copied, \([0-9.]*\) s,.*/\1/p')
  [ -n "$secs" ] || { echo "bench: cannot read dd's output: $out" >&2; exit 1; }
  awk -v s="$secs" 'BEGIN { printf "%.0f\n", s / 2000 * 1e6 }'
}

sample_tern() { # case: a per-thread CPU snapshot a few seconds into the run
  (sleep 4; top -H -b -n 2 -d 2 -p "$tern_pid" >"$results/top-$1.txt" 2>&1) &
}

# --profile: async-profiler's agent, loaded into a running Tern with jcmd (around each inbound case, or
# around a relay build's measured rounds).
async_profiler_version=4.2
profiler_lib=""
setup_profiler() {
  [ "$profile" = 1 ] || return 0
  local profiler_jar="$HOME/.m2/repository/tools/profiler/async-profiler/$async_profiler_version/async-profiler-$async_profiler_version.jar"
  [ -f "$profiler_jar" ] || "$repo/mvnw" -B -ntp -q dependency:get \
    -Dartifact="tools.profiler:async-profiler:$async_profiler_version" -Dtransitive=false >&2
  mkdir -p "$work/profiler"
  unzip -o -q -j "$profiler_jar" "linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')/libasyncProfiler.so" -d "$work/profiler"
  profiler_lib="$work/profiler/libasyncProfiler.so"
}
profiler() { # action and options (start,..., dump,file=..., stop,file=...) [pid]; jcmd takes the agent's options quoted, in one argument
  [ -n "$profiler_lib" ] || return 0
  "$jcmd" "${2:-$tern_pid}" "JVMTI.agent_load $profiler_lib \"$1\"" >/dev/null
}

# --- the cost of the rate limits -------------------------------------------------------------------

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
        out=$(server_pid=$pid run_source tern "$port" "limits-$name-$pair-$round-$RANDOM" "$half" -s 100 -l 4096 -d)
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

# --- Postfix as a relay, for comparison ------------------------------------------------------------
# A private Postfix instance: its own configuration directory and queue under the work dir, listening on
# 127.0.0.1 at a free port, relaying bench.test to one receiver. It is given the receiver by
# transport_maps (smtp:[ADDR]:PORT) with DNS support off: a Postfix that is not chrooted reads the
# system's /etc/resolv.conf, and no query may leave the machine, so Postfix does not look up the MX that
# Tern looks up (a small advantage to Postfix). Its queue is on the same disk as Tern's spool; Postfix
# fsyncs each queue file before its 250.
postfix_dir=""
start_postfix() { # port receiver-address receiver-port
  local port=$1 dest=$2 dest_port=$3 dir="$work/postfix" i
  mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
  # Postfix's daemons run as the postfix user and must reach their queue: mktemp made the work dir 0700.
  chmod 755 "$work" "$dir"
  chown postfix "$dir/data"
  cat >"$dir/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = postfix.bench.test
mydomain = bench.test
myorigin = \$myhostname
mydestination =
relay_domains =
mynetworks = 127.0.0.0/8
relayhost =
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions =
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
smtp_host_lookup = native
transport_maps = inline:{bench.test=smtp:[$dest]:$dest_port}
smtp_destination_concurrency_limit = 20
default_process_limit = 200
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
smtpd_tls_security_level = none
smtp_tls_security_level = none
append_dot_mydomain = no
alias_maps =
alias_database =
local_recipient_maps =
biff = no
CF
  # No chroot (the queue is not set up as one); the services are the list interop/run.sh starts too.
  { echo "127.0.0.1:$port inet n - n - - smtpd"; cat "$repo/interop/postfix-services.cf"; } >"$dir/etc/master.cf"
  postfix_dir=$dir
  # postfix(1) reports to syslog, not to stderr, unless stderr is a terminal: script(1) gives it one.
  if ! script -qec "postfix -c $dir/etc start" /dev/null >"$results/postfix.txt" 2>&1; then
    echo "bench: Postfix did not start:" >&2
    cat "$results/postfix.txt" >&2
    exit 1
  fi
  for ((i = 0; i < 100; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  echo "postfix: $(postconf -c "$dir/etc" -h mail_version), queue in $dir/queue, relaying bench.test to [$dest]:$dest_port" |
    tee -a "$results/machine.txt"
}
stop_postfix() {
  [ -n "$postfix_dir" ] || return 0
  local pid i
  pid=$(tr -d ' ' <"$postfix_dir/queue/pid/master.pid" 2>/dev/null || true)
  script -qec "postfix -c $postfix_dir/etc stop" /dev/null >>"$results/postfix.txt" 2>&1 || true
  for ((i = 0; i < 100; i++)); do
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  cp "$postfix_dir/maillog" "$results/postfix-maillog.txt" 2>/dev/null || true
  postfix_dir=""
}
# Messages Postfix has handed to the receiver so far.
postfix_sent() { grep -c " status=sent " "$postfix_dir/maillog" 2>/dev/null || true; }
# The CPU of the whole Postfix instance in milliseconds: its master's own and its reaped daemons' (the
# master's cutime and cstime), plus the daemons alive now.
postfix_cpu_ms() {
  local master total pid
  master=$(tr -d ' ' <"${postfix_dir:-/nonexistent}/queue/pid/master.pid" 2>/dev/null || true)
  [ -n "$master" ] && [ -r "/proc/$master/stat" ] || { echo 0; return; }
  total=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f\n", ($14 + $15 + $16 + $17) * 1000 / hz }' "/proc/$master/stat")
  for pid in $(pgrep -P "$master" || true); do
    total=$((total + $(cpu_ms "$pid")))
  done
  echo "$total"
}

# --- relaying by MX: smtp-source -> Tern -> smtp-sink, the exchanger found in a loopback DNS ---------
# The messages smtp-sink has received so far: its -c counter, rewritten in place after every message.
sink_received() {
  { tail -c 200 "$results/relay-smtp-sink.out" 2>/dev/null | tr '\r' '\n' | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2; } || true
}

# One Tern per build, all sharing one DNS responder and one smtp-sink. bench.test's MX is mx.bench.test
# at 127.0.0.2: Tern listens on 127.0.0.1, and an exchanger at one of its own addresses would be dropped
# as a loop (RFC 5321 5.1), so the sink listens on the other loopback address.
relay_mx() {
  local count warm rounds dns_port sink_mx_port pf_port i build dirs=() ports=() pids=() names=() extras=() labels=()
  count=$([ "$mode" = full ] && echo 20000 || echo 2000)
  warm=$((count / 4))
  # Tern's warm-up: rounds of the full count, not measured. Its compilers are busy again at the start
  # of every round (new connections both ways, DNS answers expired while the others took their turn):
  # with one short warm-up the JIT still took 45-190 us per message of the measured rounds, and the
  # end-to-end rate rose round by round (3,623, 4,063, 4,593 and 6,107 msg/s in one run).
  local warm_rounds=$([ "$mode" = full ] && echo 4 || echo 1)
  rounds=${BENCH_ROUNDS:-3}
  [[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "bench: BENCH_ROUNDS must be a positive number" >&2; exit 2; }
  IFS=':' read -r -a dirs <<<"${BENCH_TERN_DIR:-$repo}"
  labels=("${dirs[@]}")
  if [ "$relay_dkim" = 1 ]; then
    # One key per algorithm for bench.test; each signing Tern gets only its own.
    mkdir -p "$work/dkim"
    "$repo/tern" dkim keygen --domain bench.test --selector r --algorithm rsa --out "$work/dkim" >/dev/null
    "$repo/tern" dkim keygen --domain bench.test --selector e --algorithm ed25519 --out "$work/dkim" >/dev/null
    dirs=("$repo" "$repo" "$repo")
    labels=("no signing" "rsa-sha256 2048" "ed25519-sha256")
    extras=("" \
      "$(printf 'dkim:\n  domains:\n    bench.test: ["r:rsa-sha256:%s"]' "$(ls "$work"/dkim/r.*.pem)")" \
      "$(printf 'dkim:\n  domains:\n    bench.test: ["e:ed25519-sha256:%s"]' "$(ls "$work"/dkim/e.*.pem)")")
  fi
  for build in "${dirs[@]}"; do
    if [ "$build" != "$repo" ] && [ ! -f "$build/smtp-server/target/tern.jar" ]; then
      echo "bench: $build has no smtp-server/target/tern.jar; build it first (./mvnw -pl smtp-server -am package)" >&2
      exit 2
    fi
  done

  dns_port=$(free_port)
  if command -v dnsmasq >/dev/null; then
    dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --pid-file= \
      --listen-address=127.0.0.1 --bind-interfaces --port="$dns_port" \
      --mx-host=bench.test,mx.bench.test,10 --host-record=mx.bench.test,127.0.0.2 \
      --auth-server=bench.test,127.0.0.1 --auth-zone=bench.test --auth-ttl=60 --local-ttl=60 \
      --log-facility=- >"$results/dns.log" 2>&1 &
    dns_pid=$!
    echo "dns: dnsmasq on 127.0.0.1:$dns_port" | tee -a "$results/machine.txt"
  else
    python3 "$repo/bench/dns_mx.py" "$dns_port" bench.test 127.0.0.2 >"$results/dns.log" 2>&1 &
    dns_pid=$!
    echo "dns: bench/dns_mx.py on 127.0.0.1:$dns_port (dnsmasq not installed)" | tee -a "$results/machine.txt"
  fi
  sink_mx_port=$(free_port)
  local sink_opts=(-c -m 2000)
  [ "$(id -u)" -eq 0 ] && sink_opts+=(-u nobody)
  "$smtp_sink" "${sink_opts[@]}" "127.0.0.2:$sink_mx_port" 2048 >"$results/relay-smtp-sink.out" 2>&1 &
  sink_pid=$!
  sleep 0.5
  kill -0 "$dns_pid" 2>/dev/null || { echo "bench: the DNS responder did not start" >&2; cat "$results/dns.log" >&2; exit 1; }
  kill -0 "$sink_pid" 2>/dev/null || { echo "bench: smtp-sink did not start" >&2; cat "$results/relay-smtp-sink.out" >&2; exit 1; }

  # Only the loopback resolver, delivery to the sink's port, and nothing that would stop one source
  # address from sending the whole run.
  local yaml
  yaml=$(printf 'dns:\n  servers: ["127.0.0.1:%s"]\ndelivery:\n  port: %s\n  max-connections-per-destination: 20\n  first-retry: 1s' \
    "$dns_port" "$sink_mx_port")
  export TERN_LIMITS_MAX_MESSAGES_PER_SESSION=1000000000
  for i in "${!dirs[@]}"; do
    tern_dir=${dirs[$i]}
    names[$i]="build$i"
    ports[$i]=$(free_port)
    start_tern "relay-${names[$i]}" "${ports[$i]}" "$work/relay-${names[$i]}" "" "$yaml${extras[$i]:+$'\n'${extras[$i]}}"
    pids[$i]=$tern_pid
    relay_pids+=("$tern_pid")
    echo "build$i: ${labels[$i]} ($(build_label "${dirs[$i]}"))" |
      tee -a "$results/machine.txt"
  done
  unset TERN_LIMITS_MAX_MESSAGES_PER_SESSION
  tern_pid="" tern_dir=""
  # Postfix relaying the same load to the same sink takes its turn with the builds (not with --relay-dkim).
  local members=("${!dirs[@]}")
  if [ "$relay_dkim" = 0 ]; then
    pf_port=$(free_port)
    start_postfix "$pf_port" 127.0.0.2 "$sink_mx_port"
    members+=(postfix)
  fi

  local runs="$results/relay-runs.tsv" round order port pid
  printf "build\tmessages\taccept_s\tend_to_end_s\ttern_cpu_ms\tsink_cpu_ms\n" >"$runs"
  # Warm-up rounds (not measured), then rounds in which the builds take turns, the order
  # reversed every other round so that a change in the machine's load weighs on all alike.
  for ((round = -warm_rounds; round < rounds; round++)); do
    if [ "$round" = 0 ]; then
      # --profile: each build's Tern is sampled through its measured rounds (it burns no CPU in the others').
      for i in "${!pids[@]}"; do profiler "start,${BENCH_PROFILE:-event=cpu,interval=1ms},threads" "${pids[$i]}"; done
    fi
    order=("${members[@]}")
    if [ $((round % 2)) = 1 ]; then
      mapfile -t order < <(printf '%s\n' "${members[@]}" | tac)
    fi
    for i in "${order[@]}"; do
      if [ "$i" = postfix ]; then
        [ "$round" -lt -1 ] && continue # Postfix is native code: one warm-up round fills its caches
        port=$pf_port pid=""
      else
        port=${ports[$i]} pid=${pids[$i]}
      fi
      relay_round "$i" "$port" "$pid" "$([ "$round" -lt 0 ] && [ "$i" = postfix ] && echo "$warm" || echo "$count")" \
        "$([ "$round" -lt 0 ] && echo warm || echo "$round")" >>"$runs"
    done
  done
  for i in "${!pids[@]}"; do
    profiler "dump,file=$results/profile-relay-build$i.txt,collapsed" "${pids[$i]}"
    profiler "stop,file=$results/flame-relay-build$i.html" "${pids[$i]}"
  done
  sed -i '/^[^\t]*\twarm\t/d' "$runs"
  python3 - "$runs" "$count" "$rounds" "${labels[@]}" <<'PY' | tee "$results/relay-mx.txt"
import statistics, sys
runs, count, rounds, dirs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
rows = [line.split("\t") for line in open(runs).read().splitlines()[1:]]
print(f"\nrelay by MX (100 sessions x 4 KiB, loopback DNS, smtp-sink): {rounds} round(s) of {count} messages per build, medians")
print(f"{'build':<7} {'end-to-end msg/s':>17} {'accept msg/s':>13} {'relay CPU us/msg':>16} {'sink CPU us/msg':>16}  runs end-to-end")
medians = {}
names = [(f"build{i}", d) for i, d in enumerate(dirs)]
if any(r[0] == "postfix" for r in rows):
    names.append(("postfix", "Postfix, queue on disk (CPU: master and all its daemons)"))
for name, d in names:
    mine = [r for r in rows if r[0] == name]
    e2e = [int(r[1]) / float(r[3]) for r in mine]
    acc = [int(r[1]) / float(r[2]) for r in mine]
    cpu = [int(r[4]) * 1000 / int(r[1]) for r in mine]
    sink = [int(r[5]) * 1000 / int(r[1]) for r in mine]
    medians[name] = (statistics.median(e2e), statistics.median(acc))
    print(f"{name:<7} {statistics.median(e2e):17.0f} {statistics.median(acc):13.0f} {statistics.median(cpu):16.1f}"
          f" {statistics.median(sink):16.1f}  {' '.join(f'{x:.0f}' for x in e2e)}   {d}")
for name, _ in names:
    if name == "postfix":
        continue
    e2e, acc = medians[name]
    line = f"{name}: end to end {e2e / acc:.2f} of its own accept rate"
    if "postfix" in medians:
        line += f", {e2e / medians['postfix'][0]:.1f}x Postfix end to end"
    print(line)
PY
  stop_postfix
  for pid in "${pids[@]}"; do stop_pid "$pid" 15; done
  relay_pids=()
}

# relay_round INDEX PORT PID COUNT LABEL: one run, printed as a line of relay-runs.tsv. INDEX "postfix"
# runs the same load through the private Postfix (PID unused; its CPU is that of the whole instance).
relay_round() {
  local i=$1 port=$2 pid=$3 n=$4 label=$5 before start accepted end cpu0 cpu1 scpu0 scpu1 got out id target=tern
  id=build$i
  [ "$i" = postfix ] && id=postfix target=postfix
  tern_log="$results/tern-relay-$id.log"
  before=$(sink_received)
  before=${before:-0}
  cpu0=$(relay_cpu_ms "$target" "$pid")
  scpu0=$(cpu_ms "$sink_pid")
  start=$(date +%s.%N)
  server_pid=$pid run_source "$target" "$port" "relay-$id-$label" "$n" -s 100 -l 4096 -d >/dev/null
  accepted=$(date +%s.%N)
  got=0
  for ((j = 0; j < 3000; j++)); do
    out=$(sink_received)
    got=$((${out:-0} - before))
    [ "$got" -ge "$n" ] && break
    sleep 0.1
  done
  end=$(date +%s.%N)
  cpu1=$(relay_cpu_ms "$target" "$pid")
  scpu1=$(cpu_ms "$sink_pid")
  if [ "$got" -lt "$n" ]; then
    echo "bench: relay by MX, $id: smtp-sink received $got of $n messages; see $([ "$target" = tern ] && echo "$tern_log" || echo "$postfix_dir/maillog")" >&2
    exit 1
  fi
  awk -v b="$id" -v l="$label" -v n="$n" -v s="$start" -v a="$accepted" -v e="$end" \
    -v c=$((cpu1 - cpu0)) -v k=$((scpu1 - scpu0)) \
    'BEGIN { printf "%s\t%s\t%.3f\t%.3f\t%d\t%d\n", b, (l == "warm" ? "warm" : n), a - s, e - s, c, k }'
}

relay_cpu_ms() { # target pid
  if [ "$1" = postfix ]; then postfix_cpu_ms; else cpu_ms "$2"; fi
}

# --- inbound cases, builds side by side (--inbound) ------------------------------------------------
# One Tern per build of BENCH_TERN_DIR, all running at once, and smtp-sink: in every round of a case each
# takes its turn with the same smtp-source load, the order reversed every other round, so that a change in
# the machine's load weighs on all alike. Per build and case: msg/s over all its turns, and the server's own
# CPU (user + system of its process) per message, which other load on the machine disturbs less.
# --phases: one more turn of the one-session case per member of inbound_compare (its locals members, pids,
# ports), with the scheduler recorded; tracing every switch slows both sides, so it is not in the table.
phase_breakdown() {
  local count=$1 member target port pid label rec i
  shift
  command -v perf >/dev/null || { echo "bench: --phases needs perf (Debian: linux-perf); skipped" >&2; return 0; }
  for member in "${members[@]}"; do
    [ "$member" = dsink ] && continue # the breakdown names Tern's threads and smtp-sink's process
    if [ "$member" = sink ]; then
      target=sink port=$sink_port pid=$sink_pid label=sink
    else
      target=tern port=${ports[$member]} pid=${pids[$member]} label=build$member
      tern_log="$results/tern-inbound-build$member.log"
    fi
    rec="$results/sched-$label"
    perf sched record -a -o "$rec.data" >"$rec.err" 2>&1 &
    perf_pid=$!
    for ((i = 0; i < 50; i++)); do [ -s "$rec.data" ] && break; sleep 0.1; done
    if ! kill -0 "$perf_pid" 2>/dev/null; then
      echo "bench: perf sched record did not start (see $rec.err); --phases skipped" >&2
      perf_pid=""
      return 0
    fi
    sleep 0.5
    server_pid=$pid run_source "$target" "$port" "phases-$label" "$count" "$@" >/dev/null
    kill -INT "$perf_pid" 2>/dev/null || true
    wait "$perf_pid" || true
    perf_pid=""
    perf sched timehist -i "$rec.data" -w >"$rec.txt" 2>>"$rec.err" || true
    rm -f "$rec.data"
    echo "4k-s1-reuse $label: $(python3 "$repo/bench/phases.py" "$rec.txt" "$target")" |
      tee -a "$results/phases.txt"
  done
}

inbound_compare() {
  local rounds dirs=() ports=() pids=() members=() i build name spec full quick flags count round order member
  local port pid target case_names label dsink_port
  rounds=${BENCH_ROUNDS:-4}
  [[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "bench: BENCH_ROUNDS must be a positive number" >&2; exit 2; }
  case_names=${BENCH_CASES:-4k-s100-reuse 4k-s100-noreuse 4k-s1-reuse 1m-s10-reuse}
  IFS=':' read -r -a dirs <<<"${BENCH_TERN_DIR:-$repo}"
  local data=() labels=("${dirs[@]}")
  for i in "${!dirs[@]}"; do
    data[$i]="$work/inbound-build$i"
    if [[ ${dirs[$i]} == *@tmpfs ]]; then
      dirs[$i]=${dirs[$i]%@tmpfs}
      data[$i]=$(mktemp -d /dev/shm/tern-bench.XXXXXX)
      tmpfs_dirs+=("${data[$i]}")
    fi
  done
  for build in "${dirs[@]}"; do
    if [ ! -f "$build/smtp-server/target/tern.jar" ]; then
      echo "bench: $build has no smtp-server/target/tern.jar; build it first (./mvnw -pl smtp-server -am package)" >&2
      exit 2
    fi
  done
  setup_profiler
  for i in "${!dirs[@]}"; do
    tern_dir=${dirs[$i]}
    ports[$i]=$(free_port)
    start_tern "inbound-build$i" "${ports[$i]}" "${data[$i]}" "" $'delivery:\n  enabled: false'
    pids[$i]=$tern_pid
    relay_pids+=("$tern_pid")
    members+=("$i")
    echo "build$i: ${labels[$i]} ($(build_label "${dirs[$i]}"))" |
      tee -a "$results/machine.txt"
  done
  tern_pid="" tern_dir=""
  sink_port=$(free_port)
  local sink_opts=(-m 2000)
  [ "$(id -u)" -eq 0 ] && sink_opts+=(-u nobody)
  "$smtp_sink" "${sink_opts[@]}" "127.0.0.1:$sink_port" 2048 >"$results/smtp-sink.out" 2>&1 &
  sink_pid=$!
  sleep 0.5
  kill -0 "$sink_pid" 2>/dev/null || { echo "bench: smtp-sink did not start" >&2; cat "$results/smtp-sink.out" >&2; exit 1; }
  members+=(sink)
  dsink_port=$(free_port)
  start_durable_sink "$dsink_port"
  members+=(dsink)
  for i in "${!dirs[@]}"; do
    tern_log="$results/tern-inbound-build$i.log" warm_tern "${pids[$i]}" "${ports[$i]}" "build$i"
  done

  local runs="$results/inbound-runs.tsv" out load
  printf "case\tmember\tround\tmessages\tseconds\tbox_ms\tclient_ms\tserver_ms\tload1\tclient_faults\n" >"$runs"
  for name in $case_names; do
    spec=""
    for s in "${inbound_cases[@]}"; do [ "${s%%|*}" = "$name" ] && spec=$s; done
    [ -n "$spec" ] || { echo "bench: unknown case $name" >&2; exit 2; }
    IFS='|' read -r name full quick flags <<<"$spec"
    count=$([ "$mode" = full ] && echo "$full" || echo "$quick")
    [ "$name" = 1m-s10-reuse ] && disk_write_mb_s >"$results/disk-mb-s.txt"
    [ "$name" = 4k-s1-reuse ] && disk_flush_us >"$results/disk-flush-us.txt"
    # A turn of this very case per build, not measured: the JIT compiles what the case runs (connection
    # set-up and tear-down, say) before the rounds count, as it has for a server that has run a while.
    for i in "${!dirs[@]}"; do
      # shellcheck disable=SC2086
      server_pid=${pids[$i]} tern_log="$results/tern-inbound-build$i.log" \
        run_source tern "${ports[$i]}" "warm-$name-build$i" "$count" $flags >/dev/null
    done
    # The dirty pages of the cases before go to the disk now, not during this case's rounds (as in the full run).
    sync
    for i in "${!dirs[@]}"; do profiler "start,${BENCH_PROFILE:-event=cpu,interval=1ms},threads" "${pids[$i]}"; done
    for ((round = 0; round < rounds; round++)); do
      order=("${members[@]}")
      [ $((round % 2)) = 1 ] && mapfile -t order < <(printf '%s\n' "${members[@]}" | tac)
      for member in "${order[@]}"; do
        load=$(cut -d' ' -f1 /proc/loadavg)
        if [ "$member" = sink ]; then
          target=sink port=$sink_port pid=$sink_pid
        elif [ "$member" = dsink ]; then
          target=dsink port=$dsink_port pid=$dsink_pid
        else
          target=tern port=${ports[$member]} pid=${pids[$member]} tern_log="$results/tern-inbound-build$member.log"
        fi
        # shellcheck disable=SC2086
        out=$(server_pid=$pid run_source "$target" "$port" "$name-$member-$round" "$count" $flags)
        read -r secs _ box client server faults <<<"$out"
        label=$([[ $member == *sink ]] && echo "$member" || echo "build$member")
        printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$name" "$label" \
          "$round" "$count" "$secs" "$box" "$client" "$server" "$load" "$faults" >>"$runs"
        join -a 2 -e 0 -o 0,1.2,1.3,2.2,2.3 "$results/$name-$member-$round-$target.threads0" \
          "$results/$name-$member-$round-$target.threads1" |
          awk -v c="$name" -v m="$label" -v n="$count" \
            '{ printf "%s\t%s\t%s\t%d\t%d\t%d\n", c, m, $1, n, $4 - $2, $5 - $3 }' >>"$results/inbound-threads.tsv"
      done
    done
    for i in "${!dirs[@]}"; do
      profiler "dump,file=$results/profile-$name-build$i.txt,collapsed" "${pids[$i]}"
      profiler "stop,file=$results/flame-$name-build$i.html" "${pids[$i]}"
    done
    # shellcheck disable=SC2086
    [ "$phases" = 1 ] && [ "$name" = 4k-s1-reuse ] && phase_breakdown "$count" $flags
    echo "bench: $name done" >&2
  done
  python3 - "$runs" "$(cat "$results/disk-mb-s.txt" 2>/dev/null || echo 0)" \
    "$(cat "$results/disk-flush-us.txt" 2>/dev/null || echo 0)" "${labels[@]}" <<'PY' | tee "$results/inbound.txt"
import collections, statistics, sys
runs, disk, flush, dirs = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
rows = [line.split("\t") for line in open(runs).read().splitlines()[1:]]
tot = collections.defaultdict(lambda: [0, 0.0, 0, 0, 0, 0, [], 0])
cases = []
for case, member, rnd, n, secs, box, client, server, load, faults in rows:
    if case not in cases:
        cases.append(case)
    t = tot[case, member]
    t[0] += int(n); t[1] += float(secs); t[2] += int(box) - int(client); t[3] += int(server); t[4] += 1
    t[5] = max(t[5], float(load))
    t[6].append(int(server) * 1000 / int(n))
    t[7] += int(faults)
print("\ninbound, builds, smtp-sink and durable-sink (dsink) taking turns; sums over all rounds of a case")
for i, d in enumerate(dirs):
    print(f"  build{i}: {d}")
print(f"{'case':<17} {'member':<7} {'messages':>8} {'msg/s':>8} {'own us/msg':>10} {'median':>7} {'box us/msg':>10} {'/sink':>6} {'own vs build0':>13}  max load1  client faults/msg")
for case in cases:
    sink = tot.get((case, "sink"))
    base = tot.get((case, "build0"))
    for member in [f"build{i}" for i in range(len(dirs))] + ["sink", "dsink"]:
        t = tot.get((case, member))
        if not t:
            continue
        rate = t[0] / t[1]
        own = t[3] * 1000 / t[0]
        box = t[2] * 1000 / t[0]
        ratio = f"{rate / (sink[0] / sink[1]):.2f}" if sink and member != "sink" else ""
        vs = f"{(own / (base[3] * 1000 / base[0]) - 1) * 100:+.1f}%" if base and member.startswith("build") and member != "build0" else ""
        print(f"{case:<17} {member:<7} {t[0]:>8} {rate:>8.0f} {own:>10.1f} {statistics.median(t[6]):>7.1f} {box:>10.1f} {ratio:>6} {vs:>13}  {t[5]:<9}  {t[7] / t[0]:.2f}")
        if case == "1m-s10-reuse" and disk > 0:
            mb = rate * 1048576 / 1e6
            print(f"{'':<17} {'':<7} {mb:.1f} MB/s, {mb * 100 / disk:.0f}% of the disk's {disk:.1f} MB/s (dd 512 MiB conv=fdatasync)")
        if case == "4k-s1-reuse" and member == "sink" and flush > 0:
            # One session waits for every reply: a server as quick as smtp-sink in all else, plus one flush
            # per message, takes smtp-sink's time per message and the flush's.
            per = 1e6 / rate
            print(f"{'':<17} {'':<7} one 4 KiB flush {flush:.0f} us (dd oflag=dsync); with it added to smtp-sink's"
                  f" {per:.0f} us per message, at most {per / (per + flush):.2f} of smtp-sink")
threads = collections.defaultdict(lambda: [0, 0])
messages = collections.Counter()
try:
    for line in open(runs.replace("inbound-runs.tsv", "inbound-threads.tsv")).read().splitlines():
        case, member, group, n, user, system = line.split("\t")
        threads[case, member, group][0] += int(user)
        threads[case, member, group][1] += int(system)
except FileNotFoundError:
    pass
for case, member, _ in threads:
    messages[case, member] = tot[case, member][0]
if threads:
    print("\nthe server's CPU by thread, us per message (user + system), over all rounds; threads under 1 us left out")
    for case in cases:
        for member in [f"build{i}" for i in range(len(dirs))] + ["sink", "dsink"]:
            n = messages.get((case, member))
            if not n:
                continue
            parts = sorted(((u + s) * 1000 / n, g, u * 1000 / n, s * 1000 / n)
                           for (c, m, g), (u, s) in threads.items() if c == case and m == member)
            shown = [f"{g} {t:.0f} ({u:.0f}+{s:.0f})" for t, g, u, s in reversed(parts) if t >= 1]
            print(f"{case:<17} {member:<7} " + ", ".join(shown))
PY
  for pid in "${pids[@]}"; do stop_pid "$pid" 15; done
  relay_pids=()
}

# --- idle connections, and many sessions sending at once ---------------------------------------------
# A fresh Tern, so the figures are not inflated by what the throughput phase left in the heap. One
# process may hold only as many descriptors as the hard file limit (20,000 here), Tern included, so the
# idle test stops at 19,000 (full mode) and the client side is several processes, each connecting from
# its own 127.0.0.0/8 address (bench/conns.py). Sets idle_failed.
idle_and_burst() {
  local total workers burst_total port before after
  total=$([ "$mode" = full ] && echo 19000 || echo 3000)
  burst_total=$([ "$mode" = full ] && echo 10000 || echo 2000)
  workers=4
  port=$(free_port)
  # The clients come from 127.0.0.10-13, which the default trusts no more than any other address: trusted
  # here, as an operator trusts a load generator, so that no per-address rate or cap refuses them.
  start_tern idle "$port" "$work/idle-data" "" $'delivery:\n  enabled: false\nrelay:\n  trusted-networks: [127.0.0.0/8]'
  tern_log="$results/tern-idle.log"
  echo "file limit: $(ulimit -n) descriptors per process; Tern $(awk '/^Max open files/ { print $4 }' "/proc/$tern_pid/limits")" |
    tee -a "$results/machine.txt"
  sleep 2
  idle_failed=0
  python3 "$repo/bench/conns.py" idle 127.0.0.1 "$port" "$tern_pid" "$jcmd" 1000 "$total" "$workers" \
    >"$results/idle.tsv" 2>"$results/idle.err" &
  idle_pid=$!
  if ! wait "$idle_pid"; then
    idle_failed=1
    echo "bench: idle-connection test failed:" >&2
    cat "$results/idle.err" >&2
  fi
  idle_pid=""
  echo
  echo "idle connections ($workers client processes, sources 127.0.0.10-$((9 + workers))): per 1,000 = growth over the empty server / thousands"
  printf "%11s %9s %10s %16s %17s %12s %9s\n" connections rss_MiB heap_MiB rss_KiB/1000conn heap_KiB/1000conn tcp_mem_MiB slab_MiB
  awk -F'\t' 'NR == 2 { r0 = $2; h0 = $3 }
    NR >= 2 {
      per_r = $1 > 0 ? ($2 - r0) * 1000 / $1 : 0
      per_h = $1 > 0 ? ($3 - h0) * 1000 / $1 : 0
      printf "%11d %9.1f %10.1f %16.0f %17.0f %12.1f %9.1f\n", $1, $2 / 1024, $3 / 1024, per_r, per_h, $4 / 1024, $5 / 1024
    }' "$results/idle.tsv" | tee "$results/idle-table.txt"
  # The cost of one connection from the largest step, and what 100,000 would take at that rate.
  awk -F'\t' 'NR == 2 { r0 = $2; h0 = $3; t0 = $4; s0 = $5 } NR > 2 { n = $1; r = $2; h = $3; t = $4; s = $5 }
    END {
      if (n == 0) exit
      printf "per idle connection at %d: heap %.2f KiB, RSS %.2f KiB; kernel, both ends and machine-wide: TCP buffers %.2f KiB, slab %.2f KiB\n", n, (h - h0) / n, (r - r0) / n, (t - t0) / n, (s - s0) / n
      printf "planned for 100,000: heap %.0f MiB, RSS %.0f MiB (%.0f MiB empty + %.0f MiB), file descriptors 100,000 + about 100\n",
        (h0 + (h - h0) / n * 100000) / 1024, (r0 + (r - r0) / n * 100000) / 1024, r0 / 1024, (r - r0) / n * 100000 / 1024
    }' "$results/idle.tsv" | tee -a "$results/idle-table.txt"

  # All sessions open (EHLO answered), then every one sends a 4 KiB message at once.
  before=$(queued_count)
  echo
  python3 "$repo/bench/conns.py" burst 127.0.0.1 "$port" "$burst_total" "$workers" 4096 \
    >"$results/burst.tsv" 2>"$results/burst.err" &
  idle_pid=$!
  wait "$idle_pid" || idle_failed=1
  idle_pid=""
  after=$(queued_count)
  awk -F'\t' -v q=$((after - before)) 'NR == 2 {
    printf "%d sessions sending at once (%s client processes): %d open at once, %d accepted, %d refused, %d failed, %.2f s from go to the last reply; Tern queued %d\n", $1, w, $2, $3, $4, $5, $6, q
  }' w="$workers" "$results/burst.tsv" | tee "$results/burst.txt"
  if [ "$idle_failed" = 1 ] || [ $((after - before)) -ne "$burst_total" ]; then
    idle_failed=1
    echo "bench: idle or burst test failed (Tern queued $((after - before)) of $burst_total):" >&2
    cat "$results/idle.err" "$results/burst.err" >&2
  fi
  stop_pid "$tern_pid" 15
  tern_pid=""
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

# --inbound: name | messages per turn, full | quick | smtp-source flags
inbound_cases=(
  "4k-s1-reuse|3000|300|-s 1 -l 4096 -d"
  "4k-s10-reuse|8000|800|-s 10 -l 4096 -d"
  "4k-s100-reuse|16000|2000|-s 100 -l 4096 -d"
  "4k-s1000-reuse|16000|2000|-s 1000 -l 4096 -d"
  "1m-s10-reuse|300|40|-s 10 -l 1048576 -d"
  "4k-s100-noreuse|6000|600|-s 100 -l 4096"
)
if [ "$inbound_only" = 1 ]; then
  inbound_compare
  exit 0
fi
if [ "$limits_only" = 1 ]; then
  limits_cost
  exit 0
fi
if [ "$relay_only" = 1 ]; then
  setup_profiler
  relay_mx
  exit 0
fi
if [ "$idle_only" = 1 ]; then
  idle_and_burst
  exit "$idle_failed"
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
dsink_port=$(free_port)
start_durable_sink "$dsink_port"

# JIT warm-up for Tern, not measured (smtp-sink is native code and needs none): as with --inbound, then a
# turn of each case before it is measured.
warm_tern "$tern_pid" "$tern_port" throughput

setup_profiler

table="$results/results.tsv"
printf "case\tmessages\ttern_s\ttern_msg_per_s\tsink_s\tsink_msg_per_s\tratio\tload1\ttern_box_us_per_msg\tsink_box_us_per_msg\ttern_own_us_per_msg\tsink_own_us_per_msg\tdsink_s\tdsink_msg_per_s\tdsink_ratio\ttern_per_dsink\tdsink_box_us_per_msg\tdsink_own_us_per_msg\n" >"$table"
# CPU per message: "box" is the whole machine's busy CPU during the server's two halves minus
# smtp-source's own CPU (other work on the machine counts too: read it with load1); "own" is the server
# process's CPU alone. "ratio" is Tern's rate over smtp-sink's; "dsink" durable-sink's rate, its ratio to
# smtp-sink's and Tern's ratio to it.
row_format="%-17s %8s %8s %10s %8s %10s %7s %10s %7s %7s %6s %9s %9s %9s %9s %9s %9s\n"
# shellcheck disable=SC2059
printf "\n$row_format" case messages tern_s tern_msg/s sink_s sink_msg/s ratio dsink_msg/s ds/sink tern/ds load1 \
  tern_box sink_box dsink_box tern_own sink_own dsink_own
# shellcheck disable=SC2059
printf "$row_format" "" "" "" "" "" "" "" "" "" "" "" "us/msg" "us/msg" "us/msg" "us/msg" "us/msg" "us/msg"
for spec in "${cases[@]}"; do
  IFS='|' read -r name full quick flags <<<"$spec"
  count=$([ "$mode" = full ] && echo "$full" || echo "$quick")
  load=$(cut -d' ' -f1 /proc/loadavg)
  [ "$name" = 4k-s100-reuse ] && sample_tern "$name"
  # Two halves in the order Tern, smtp-sink, durable-sink, durable-sink, smtp-sink, Tern, so a change in
  # the machine's load during the case (other jobs share it) weighs on all servers alike. A failed half
  # exits the script (set -e applies to the substitutions).
  half=$((count / 2))
  # One unmeasured turn of the case (a quarter of its messages), so that the JIT has compiled what the
  # case runs (connection set-up and tear-down, say) before the halves count.
  # shellcheck disable=SC2086
  run_source tern "$tern_port" "warm-$name" "$((count / 4))" $flags >/dev/null
  [ "$name" = 1m-s10-reuse ] && disk_mb_s=$(disk_write_mb_s)
  [ "$name" = 4k-s1-reuse ] && flush_us=$(disk_flush_us)
  # The page cache's dirty pages from the cases before (gigabytes after the 1 MiB case) go to the disk
  # now, not during this case's halves: Tern's flushes would wait behind them, smtp-sink's nothing.
  sync
  profiler "start,${BENCH_PROFILE:-event=cpu,interval=1ms},threads"
  # shellcheck disable=SC2086
  t1=$(run_source tern "$tern_port" "$name-a" "$half" $flags)
  # shellcheck disable=SC2086
  s1=$(run_source sink "$sink_port" "$name-a" "$half" $flags)
  # shellcheck disable=SC2086
  d1=$(run_source dsink "$dsink_port" "$name-a" "$half" $flags)
  # shellcheck disable=SC2086
  d2=$(run_source dsink "$dsink_port" "$name-b" "$half" $flags)
  # shellcheck disable=SC2086
  s2=$(run_source sink "$sink_port" "$name-b" "$half" $flags)
  # shellcheck disable=SC2086
  t2=$(run_source tern "$tern_port" "$name-b" "$half" $flags)
  profiler "dump,file=$results/profile-$name.txt,collapsed"
  profiler "stop,file=$results/flame-$name.html"
  count=$((half * 2))
  # Each half, as run_source prints it: seconds rate box_ms client_ms server_ms, then fields this table
  # does not use (cut off, so that the second half's fields are where the sums expect them). Per server:
  # total seconds, rate, box minus client per message and its own CPU per message, in microseconds.
  both() {
    echo "$(cut -d' ' -f1-5 <<<"$1") $(cut -d' ' -f1-5 <<<"$2")" | awk -v n="$count" '{ printf "%.2f %.0f %.0f %.0f\n",
      $1 + $6, n / ($1 + $6), ($3 - $4 + $8 - $9) * 1000 / n, ($5 + $10) * 1000 / n }'
  }
  read -r tern_s tern_rate tern_box tern_own < <(both "$t1" "$t2")
  read -r sink_s sink_rate sink_box sink_own < <(both "$s1" "$s2")
  read -r dsink_s dsink_rate dsink_box dsink_own < <(both "$d1" "$d2")
  # A server's rate over both halves lies between its two halves' own rates (within the rounding of their
  # seconds); one outside them means the halves were misread: fail rather than print it.
  within() {
    awk -v r="$1" -v a="$(cut -d' ' -f2 <<<"$2")" -v b="$(cut -d' ' -f2 <<<"$3")" \
      'BEGIN { lo = a < b ? a : b; hi = a < b ? b : a; exit !(r >= lo * 0.98 - 1 && r <= hi * 1.02 + 1) }' && return 0
    echo "bench: case $name: rate $1 is not between its halves' ('$2', '$3')" >&2
    exit 1
  }
  within "$tern_rate" "$t1" "$t2"
  within "$sink_rate" "$s1" "$s2"
  within "$dsink_rate" "$d1" "$d2"
  ratio=$(awk -v t="$tern_rate" -v s="$sink_rate" 'BEGIN { printf "%.2f", t / s }')
  dsink_ratio=$(awk -v t="$dsink_rate" -v s="$sink_rate" 'BEGIN { printf "%.2f", t / s }')
  tern_per_dsink=$(awk -v t="$tern_rate" -v s="$dsink_rate" 'BEGIN { printf "%.2f", t / s }')
  printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$name" "$count" "$tern_s" "$tern_rate" \
    "$sink_s" "$sink_rate" "$ratio" "$load" "$tern_box" "$sink_box" "$tern_own" "$sink_own" \
    "$dsink_s" "$dsink_rate" "$dsink_ratio" "$tern_per_dsink" "$dsink_box" "$dsink_own" >>"$table"
  # shellcheck disable=SC2059
  printf "$row_format" "$name" "$count" "$tern_s" "$tern_rate" "$sink_s" "$sink_rate" "$ratio" "$dsink_rate" \
    "$dsink_ratio" "$tern_per_dsink" "$load" "$tern_box" "$sink_box" "$dsink_box" "$tern_own" "$sink_own" "$dsink_own"
done
if [ -n "${disk_mb_s:-}" ]; then
  # smtp-source's message is its -l body plus a few header lines; counted as 1 MiB.
  awk -F'\t' -v d="$disk_mb_s" '$1 == "1m-s10-reuse" {
    t = $4 * 1048576 / 1e6; k = $6 * 1048576 / 1e6; ds = $14 * 1048576 / 1e6
    printf "\n1 MiB messages: Tern %.1f MB/s, %.0f%% of the disk'"'"'s flushed write bandwidth (%.1f MB/s, dd 512 MiB conv=fdatasync); smtp-sink %.1f MB/s; durable-sink %.1f MB/s (%.0f%%)\n", t, t * 100 / d, d, k, ds, ds * 100 / d
  }' "$table" | tee "$results/disk.txt"
fi
if [ -n "${flush_us:-}" ]; then
  # One session waits for every reply: a server as quick as smtp-sink in all else, plus one flush per
  # message, takes smtp-sink's time per message and the flush's (as --inbound prints it).
  awk -F'\t' -v f="$flush_us" '$1 == "4k-s1-reuse" {
    per = 1e6 / $6
    printf "\n1 session: one 4 KiB flush %.0f us (dd oflag=dsync); with it added to smtp-sink'"'"'s %.0f us per message, at most %.2f of smtp-sink; durable-sink %.2f; Tern %.2f\n", f, per, per / (per + f), $15, $7
  }' "$table" | tee "$results/flush.txt"
fi
du -sh "$work/data/spool" | sed 's/^/spool size after run: /' | tee -a "$results/machine.txt"

stop_pid "$tern_pid" 15
tern_pid=""
rm -rf "$work/data"

# --- relay by MX: smtp-source -> Tern -> smtp-sink, with a private Postfix taking turns --------------
# The same procedure as --relay (relay_mx): the exchanger found through the loopback DNS, four
# unmeasured rounds per Tern (one for Postfix), then BENCH_ROUNDS measured rounds, medians printed.
stop_pid "$sink_pid" 5
sink_pid=""
stop_pid "$dsink_pid" 5
dsink_pid=""
relay_mx
stop_pid "$sink_pid" 5
sink_pid=""
stop_pid "$dns_pid" 5
dns_pid=""

idle_and_burst
echo
echo "raw results: $results" >&2
exit "$idle_failed"
