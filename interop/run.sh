#!/usr/bin/env bash
# Mail both ways between Tern and real MTAs and clients, on loopback only:
#
#   interop/run.sh            (as root: the peers listen on port 25 of their own loopback addresses)
#
# Tern (127.0.0.30) exchanges mail with a private Postfix (127.0.0.31, its own config directory and
# queue), a private Exim (127.0.0.32, the Debian binary unpacked beside the work directory) and aiosmtpd
# (127.0.0.33, and a second one on ::1 reached over IPv6); Python's smtplib and swaks submit to Tern. Tern finds the peers by MX through dnsmasq on
# 127.0.0.35; the peers reach Tern by static routes (none of them asks any DNS server). Every case checks
# where the message arrived, its envelope, its content and the TLS of each hop; a refused recipient must
# come back to its sender as a DSN. Prints one line per case and exits 1 if any failed.
#
# Needs: postfix, swaks (with libnet-ssleay-perl), dnsmasq, openssl, python3-aiosmtpd and exim4's Debian
# packages (downloaded and unpacked, not installed: installing exim4 would remove postfix). It installs
# what is missing itself; ./tern picks the JDK and builds the jar as it does for anyone.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/tern-interop.XXXXXX)
chmod 755 "$work"
keep=${INTEROP_KEEP:-0}
pids=()
failures=0

cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  postfix -c "$work/postfix" stop >/dev/null 2>&1 || true
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$keep" = 1 ]; then echo "interop: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

die() { echo "interop: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "run as root: the peers listen on port 25"

install_tools() {
  local missing=()
  command -v swaks >/dev/null || missing+=(swaks)
  perl -MNet::SSLeay -e1 2>/dev/null || missing+=(libnet-ssleay-perl libio-socket-ssl-perl)
  command -v dnsmasq >/dev/null || missing+=(dnsmasq)
  /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || missing+=(python3-aiosmtpd)
  # Exim's one library that Postfix's system lacks (Exim executes itself again with a clean environment).
  [ -e /usr/lib/x86_64-linux-gnu/libidn.so.12 ] || missing+=(libidn12)
  if [ ! -x /usr/sbin/postfix ]; then
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    missing+=(postfix)
  fi
  if [ ${#missing[@]} -gt 0 ] || [ ! -x "${INTEROP_EXIM_ROOT:-/opt/tern-interop-exim}/usr/sbin/exim4" ]; then
    apt-get update -q >/dev/null
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "interop: installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
  fi
  exim_root=${INTEROP_EXIM_ROOT:-/opt/tern-interop-exim}
  if [ ! -x "$exim_root/usr/sbin/exim4" ]; then
    echo "interop: unpacking exim4 into $exim_root" >&2
    local debs
    debs=$(mktemp -d)
    (cd "$debs" && apt-get download exim4-daemon-light exim4-base >/dev/null 2>&1) \
      || die "cannot download exim4's packages"
    mkdir -p "$exim_root"
    for deb in "$debs"/*.deb; do dpkg -x "$deb" "$exim_root"; done
    rm -rf "$debs"
  fi
}
install_tools

# --- certificates (one for every peer; Tern makes its own) ---------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mx.peer.test \
  -keyout "$work/peer.key" -out "$work/peer.crt" 2>/dev/null
chmod 644 "$work/peer.key"

wait_port() { # ADDRESS PORT WHAT
  local i
  for ((i = 0; i < 300; i++)); do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
    sleep 0.1
  done
  die "$3 did not listen on $1:$2"
}

# --- DNS: the peers' MX records, nothing else ----------------------------------------------------------
dnsmasq --keep-in-foreground --no-resolv --no-hosts --no-daemon --listen-address=127.0.0.35 \
  --bind-interfaces --port=53 --log-facility="$work/dnsmasq.log" --user=root \
  --mx-host=postfix.test,mx.postfix.test,10 --host-record=mx.postfix.test,127.0.0.31 \
  --mx-host=exim.test,mx.exim.test,10 --host-record=mx.exim.test,127.0.0.32 \
  --mx-host=aio.test,mx.aio.test,10 --host-record=mx.aio.test,127.0.0.33 \
  --mx-host=aio6.test,mx.aio6.test,10 --host-record=mx.aio6.test,::1 \
  --mx-host=tern.test,mx.tern.test,10 --host-record=mx.tern.test,127.0.0.30 \
  --address=/test/ >/dev/null 2>&1 &
pids+=($!)

# --- Tern -----------------------------------------------------------------------------------------------
mkdir -p "$work/tern"
cat >"$work/tern/tern.yaml" <<YAML
hostname: mx.tern.test
data-dir: $work/tern/data
listeners:
  mx:
    address: 127.0.0.30
    port: 25
  submission:
    address: 127.0.0.30
    port: 587
  smtps: ~
local:
  domains: [tern.test]
dns:
  servers: [127.0.0.35]
delivery:
  port: 25
  mta-sts:
    enabled: false
management:
  address: 127.0.0.30
  port: 9465
YAML
mkdir -p "$work/tern/data"
echo 'secret-password' | "$repo/tern" user add alice --password-stdin --users-file "$work/tern/data/users" >/dev/null
start_tern() {
  "$repo/tern" serve --config "$work/tern/tern.yaml" >>"$work/tern/tern.log" 2>&1 &
  tern_pid=$!
  pids+=("$tern_pid")
}
start_tern

# --- Postfix: its own config directory, queue and mailboxes ---------------------------------------------
pf="$work/postfix"
mkdir -p "$pf" "$work/postfix-mail" "$work/postfix-queue" "$work/postfix-data"
chown nobody:nogroup "$work/postfix-mail"
chown postfix "$work/postfix-data"
cat >"$pf/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $work/postfix-queue
data_directory = $work/postfix-data
myhostname = mx.postfix.test
mydomain = postfix.test
myorigin = postfix.test
mydestination =
inet_interfaces = 127.0.0.1
smtp_bind_address = 127.0.0.31
mail_owner = postfix
setgid_group = postdrop
smtpd_peername_lookup = no
smtp_host_lookup = native
append_dot_mydomain = no
alias_maps =
alias_database =
biff = no
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtp_dns_support_level = disabled
disable_dns_lookups = yes
maillog_file = $work/postfix.log
maillog_file_prefixes = $work
virtual_mailbox_domains = postfix.test
virtual_mailbox_base = $work/postfix-mail
virtual_mailbox_maps = inline:{ {bob@postfix.test=bob/} {carol@postfix.test=carol/} }
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
transport_maps = inline:{ {tern.test=smtp:[127.0.0.30]:25} }
smtpd_tls_cert_file = $work/peer.crt
smtpd_tls_key_file = $work/peer.key
smtpd_tls_security_level = may
smtp_tls_security_level = may
smtp_tls_loglevel = 1
smtpd_tls_loglevel = 1
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
message_size_limit = 41943040
bounce_queue_lifetime = 0
maximal_queue_lifetime = 1h
minimal_backoff_time = 5s
maximal_backoff_time = 10s
queue_run_delay = 5s
CF
{ echo "127.0.0.31:25 inet n - n - - smtpd"; cat "$repo/interop/postfix-services.cf"; } >"$pf/master.cf"
# postfix(1) reports to syslog, not to stderr, unless stderr is a terminal: script(1) gives it one.
script -qec "postfix -c $pf start" /dev/null >"$work/postfix-start.txt" 2>&1 \
  || { cat "$work/postfix-start.txt" >&2; die "postfix did not start"; }

# --- Exim: the Debian binary, a config of its own -------------------------------------------------------
ex="$work/exim"
# The Debian binary looks up the user it was built for before it reads any configuration.
id Debian-exim >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent \
  --shell /usr/sbin/nologin Debian-exim
mkdir -p "$ex/spool" "$ex/log" "$work/exim-mail"
chown nobody:nogroup "$work/exim-mail"
chown -R Debian-exim:Debian-exim "$ex/spool" "$ex/log"
# Exim keeps root (to listen on port 25) only with a configuration named in its trusted list: one fixed
# path, rewritten by every run, so that the list holds one line however often this runs.
exim_conf="$exim_root/interop-exim.conf"
cat >"$exim_conf" <<CF
primary_hostname = mx.exim.test
qualify_domain = exim.test
local_interfaces = 127.0.0.32
daemon_smtp_ports = 25
spool_directory = $ex/spool
log_file_path = $ex/log/%slog
domainlist local_domains = exim.test
hostlist relay_from_hosts = 127.0.0.0/8
host_lookup =
rfc1413_hosts =
tls_advertise_hosts = *
tls_certificate = $work/peer.crt
tls_privatekey = $work/peer.key
never_users = root
keep_environment =
message_size_limit = 40M
acl_smtp_rcpt = acl_check_rcpt
chunking_advertise_hosts = *

begin acl
acl_check_rcpt:
  deny    domains = +local_domains
          local_parts = nobody
          message = 5.1.1 no such user here
  accept  domains = +local_domains
  accept  hosts = +relay_from_hosts
  deny    message = 5.7.1 relay not permitted

begin routers
# Mail from alice@tern.test goes to Tern's submission listener, authenticated (a smarthost with AUTH).
to_tern_submission:
  driver = manualroute
  domains = tern.test
  senders = alice@tern.test
  transport = tern_submission
  route_list = * 127.0.0.30
to_tern:
  driver = manualroute
  domains = tern.test
  transport = remote_smtp
  route_list = * 127.0.0.30
local_user:
  driver = accept
  domains = +local_domains
  local_parts = dave : frank
  transport = local_maildir

begin transports
remote_smtp:
  driver = smtp
  port = 25
  hosts_try_chunking = *
tern_submission:
  driver = smtp
  port = 587
  hosts_require_tls = *
  hosts_require_auth = *
local_maildir:
  driver = appendfile
  directory = $work/exim-mail/\${local_part_data}
  maildir_format
  create_directory
  user = nobody
  group = nogroup
  envelope_to_add
  return_path_add

begin retry
*  *  F,1h,5s

begin authenticators
plain_to_tern:
  driver = plaintext
  public_name = PLAIN
  client_send = ^alice^secret-password
CF
chmod 644 "$exim_conf"
mkdir -p /etc/exim4
grep -qxF "$exim_conf" /etc/exim4/trusted_configs 2>/dev/null || echo "$exim_conf" >>/etc/exim4/trusted_configs
# Exim runs its deliveries by executing itself again at the path it was built with.
if [ ! -e /usr/sbin/exim4 ]; then ln -s "$exim_root/usr/sbin/exim4" /usr/sbin/exim4; fi
[ "$(readlink -f /usr/sbin/exim4)" = "$(readlink -f "$exim_root/usr/sbin/exim4")" ] \
  || die "/usr/sbin/exim4 is another Exim than $exim_root's"
exim_bin=/usr/sbin/exim4
"$exim_bin" -C "$exim_conf" -bdf -q5s >"$ex/daemon.out" 2>&1 &
pids+=($!)

# --- aiosmtpd -------------------------------------------------------------------------------------------
mkdir -p "$work/aio"
/usr/bin/python3 "$repo/interop/aio_sink.py" 127.0.0.33 25 "$work/aio" "$work/peer.crt" "$work/peer.key" \
  >"$work/aio.out" 2>&1 &
pids+=($!)
# A second one on IPv6 loopback only: the mail exchanger of aio6.test, which has an AAAA record and no A.
mkdir -p "$work/aio6"
/usr/bin/python3 "$repo/interop/aio_sink.py" ::1 25 "$work/aio6" "$work/peer.crt" "$work/peer.key" \
  >"$work/aio6.out" 2>&1 &
pids+=($!)

wait_port 127.0.0.35 53 dnsmasq
wait_port 127.0.0.30 25 Tern
wait_port 127.0.0.31 25 Postfix
wait_port 127.0.0.32 25 Exim
wait_port 127.0.0.33 25 aiosmtpd
wait_port ::1 25 "aiosmtpd on ::1"
echo "interop: work directory $work"

# --- the cases ------------------------------------------------------------------------------------------
pass() { printf 'ok    %s\n' "$1"; }
fail() { printf 'FAIL  %s: %s\n' "$1" "$2"; failures=$((failures + 1)); }

# await SECONDS COMMAND...: runs COMMAND until it succeeds or SECONDS pass.
await() {
  local seconds=$1 i
  shift
  for ((i = 0; i < seconds * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}
# Only delivered mail counts: a Maildir file is written in tmp/ and renamed into new/ when complete.
# token_file DIR TOKEN: the delivered file under DIR that holds "token TOKEN" (empty if none yet).
# The token is a line of its own (CRLF in aiosmtpd's files), so t1 never finds t10's message.
token_file() { grep -rlsE --exclude-dir=tmp -- "^token $2"$'\r'"?\$" "$1" | head -1 || true; }
arrived() { [ -n "$(token_file "$1" "$2")" ]; }

swaks_to() { # SERVER[:PORT] FROM TO TOKEN [swaks options...]
  local server=$1 from=$2 to=$3 token=$4
  shift 4
  swaks --server "$server" --from "$from" --to "$to" --helo client.interop.test \
    --header "Subject: interop $token" --body "token $token
.leading dot
..two dots
." "$@" >"$work/swaks-$token.log" 2>&1
}

# The message FILE kept its dot lines as they were sent (dot-stuffing undone once at every hop).
dots_intact() {
  # Maildir files hold LF line ends, aiosmtpd's the CRLF of the wire.
  local text
  text=$(tr -d '\r' <"$1")
  grep -qx '\.leading dot' <<<"$text" && grep -qx '\.\.two dots' <<<"$text" && grep -qx '\.' <<<"$text"
}

check_arrival() { # CASE DIR TOKEN [TEXT]: the message of TOKEN arrives under DIR, holding TEXT
  local file
  if await 60 arrived "$2" "$3"; then
    file=$(token_file "$2" "$3")
    if [ -n "${4:-}" ] && ! grep -qF -- "$4" "$file"; then
      fail "$1" "arrived without '$4'"
    elif [[ $3 != t7 && $3 != t12 && $3 != t8 && $3 != t9 ]] && ! dots_intact "$file"; then
      fail "$1" "lines starting with a dot were changed"
    else
      pass "$1"
    fi
  else
    fail "$1" "not in $2 after 60 s"
  fi
}

# send CASE SERVER FROM TO TOKEN DIR TEXT [swaks options...]: swaks submits to SERVER, and the message
# must arrive under DIR (holding TEXT, unless it is empty).
send() {
  local name=$1 server=$2 from=$3 to=$4 token=$5 dir=$6 text=$7
  shift 7
  if swaks_to "$server" "$from" "$to" "$token" "$@"; then
    check_arrival "$name" "$dir" "$token" "$text"
  else
    fail "$name" "not accepted by $server: $(tail -3 "$work/swaks-$token.log" | tr '\n' ' ')"
  fi
}
tern_alice="$work/tern/data/mail/tern.test/alice"

# 1. swaks -> Tern (mx listener, STARTTLS), local delivery.
send "swaks -> Tern (STARTTLS), local Maildir" 127.0.0.30:25 someone@postfix.test alice@tern.test t1 \
  "$tern_alice" "with ESMTPS (TLS" --tls
# 2. swaks -> Tern submission with AUTH PLAIN after STARTTLS, relayed by MX to Postfix.
send "swaks -> Tern submission (STARTTLS + AUTH) -> Postfix by MX" 127.0.0.30:587 alice@tern.test \
  bob@postfix.test t2 "$work/postfix-mail/bob" "" --tls --auth PLAIN --auth-user alice --auth-password secret-password
# 3. Postfix -> Tern (Postfix's smtp client, STARTTLS), local delivery.
send "Postfix -> Tern" 127.0.0.31:25 bob@postfix.test alice@tern.test t3 "$tern_alice" "mx.postfix.test"
# 4. Tern -> Exim by MX; Exim -> Tern by its route.
send "Tern -> Exim by MX" 127.0.0.30:25 alice@tern.test dave@exim.test t4 "$work/exim-mail/dave" ""
send "Exim -> Tern" 127.0.0.32:25 dave@exim.test alice@tern.test t5 "$tern_alice" "mx.exim.test"
# Exim -> Tern's submission listener: STARTTLS, then AUTH PLAIN as alice (Exim's plaintext client).
send "Exim -> Tern submission (STARTTLS + AUTH PLAIN)" 127.0.0.32:25 alice@tern.test alice@tern.test t11 \
  "$tern_alice" "with ESMTPSA"
# 5. Tern -> aiosmtpd by MX, STARTTLS.
send "Tern -> aiosmtpd by MX" 127.0.0.30:25 alice@tern.test erin@aio.test t6 "$work/aio" ""
if await 30 grep -rqs --exclude-dir=tmp "to=erin@aio.test tls=True" "$work/aio"; then
  pass "Tern -> aiosmtpd used STARTTLS"
else
  fail "Tern -> aiosmtpd used STARTTLS" "$(cat "$work"/aio/*.env 2>/dev/null)"
fi
# Over IPv6: aio6.test's exchanger has only an AAAA record (::1), where the second aiosmtpd listens.
send "Tern -> aiosmtpd over IPv6 by MX (AAAA only)" 127.0.0.30:25 alice@tern.test gina@aio6.test t13 \
  "$work/aio6" ""
if await 30 grep -rqs --exclude-dir=tmp "to=gina@aio6.test tls=True" "$work/aio6"; then
  pass "Tern -> aiosmtpd over IPv6 used STARTTLS"
else
  fail "Tern -> aiosmtpd over IPv6 used STARTTLS" "$(cat "$work"/aio6/*.env 2>/dev/null)"
fi

# 6. smtplib -> Tern: SMTPUTF8 and 8BITMIME, STARTTLS; delivered locally, and relayed to Postfix (which
#    must be offered SMTPUTF8 by Tern's client for the non-ASCII sender).
smtplib_send() { # TO TOKEN
  /usr/bin/python3 - "$1" "$2" <<'PY' >"$work/smtplib-$2.log" 2>&1
import smtplib, ssl, sys
from email.message import EmailMessage
m = EmailMessage()
m["From"] = "zoë@postfix.test"
m["To"] = sys.argv[1]
m["Subject"] = "interop %s ünïcödé" % sys.argv[2]
m.set_content("token %s\nGrüße aus smtplib\n.leading dot\n" % sys.argv[2], charset="utf-8", cte="8bit")
with smtplib.SMTP("127.0.0.30", 25, local_hostname="client.interop.test", timeout=30) as s:
    s.starttls(context=ssl._create_unverified_context())
    s.send_message(m)  # adds SMTPUTF8 itself for the non-ASCII sender
PY
}
for target in "alice@tern.test $tern_alice t7" "carol@postfix.test $work/postfix-mail/carol t12"; do
  read -r rcpt dir token <<<"$target"
  if smtplib_send "$rcpt" "$token"; then
    # The envelope's sender as sent: Postfix could only take it with SMTPUTF8 from Tern's client.
    check_arrival "smtplib -> Tern -> $rcpt (STARTTLS, SMTPUTF8, 8bit)" "$dir" "$token" "Return-Path: <zoë@postfix.test>"
    grep -qF "Grüße aus smtplib" "$(token_file "$dir" "$token")" || fail "smtplib -> $rcpt: the 8bit body" "changed"
  else fail "smtplib -> Tern -> $rcpt" "$(tail -3 "$work/smtplib-$token.log")"; fi
done

# The base64 lines of big.txt arrived, all of them, in order.
body_intact() { # CASE DIR TOKEN
  local file
  file=$(token_file "$2" "$3")
  if [ -n "$file" ] && cmp -s <(grep -E '^[A-Za-z0-9+/=]{76}$' "$work/big.txt") \
      <(grep -E '^[A-Za-z0-9+/=]{76}$' "$file"); then
    pass "$1"
  else fail "$1" "the content differs from what was sent"; fi
}

# 7. A large message, Tern -> Postfix and Tern -> Exim (BDAT where offered).
head -c 6000000 /dev/urandom | base64 -w 76 >"$work/big.txt"
for target in "Postfix carol@postfix.test postfix-mail/carol t8" "Exim frank@exim.test exim-mail/frank t9"; do
  read -r peer rcpt dir token <<<"$target"
  { cat "$work/big.txt"; echo "token $token"; } >"$work/big-$token.txt"
  send "Tern -> $peer, 8 MB" 127.0.0.30:25 alice@tern.test "$rcpt" "$token" "$work/$dir" "" \
    --body "$work/big-$token.txt"
  body_intact "Tern -> $peer, 8 MB, every line" "$work/$dir" "$token"
done

# 8. Refused recipients at each peer come back to the sender as DSNs (5.1.1).
for peer in postfix exim aio; do
  swaks_to 127.0.0.30:25 alice@tern.test "nobody@$peer.test" "t10-$peer" || true
done
for peer in postfix exim aio; do
  if await 60 grep -rlqs --exclude-dir=tmp "nobody@$peer.test" "$tern_alice"; then
    if grep -rls --exclude-dir=tmp "nobody@$peer.test" "$tern_alice" | xargs grep -qsi "Status: 5.1.1"; then
      pass "Tern bounces a recipient $peer refused (DSN 5.1.1)"
    else fail "Tern bounce for $peer" "DSN without Status: 5.1.1"; fi
  else fail "Tern bounce for $peer" "no DSN for nobody@$peer.test"; fi
done

# 9. Kill -9 under a real peer's load: Postfix relays 300 messages to Tern; Tern is killed with SIGKILL
#    once some have arrived and started again on its spool. Postfix retries what got no 250, so every
#    message must arrive; one Tern took but was killed before answering may arrive twice (RFC 5321 6.1).
# The messages of this case in Tern's Maildir: files, and distinct Postfix queue ids (one per message).
kill_files() { grep -rlsF --exclude-dir=tmp 'kill@postfix.test' "$tern_alice" || true; }
kill_messages() { kill_files | xargs -r grep -hoE 'mx\.postfix\.test \(Postfix\) with E?SMTPS? id [0-9A-F]+' | sort -u | wc -l; }
at_least() { [ "$("$1")" -ge "$2" ]; }
/usr/sbin/smtp-source -s 5 -l 2048 -m 300 -f kill@postfix.test -t alice@tern.test 127.0.0.31:25 \
  >"$work/smtp-source-kill.log" 2>&1 || fail "Postfix takes 300 messages for Tern" "$(tail -2 "$work/smtp-source-kill.log")"
await 60 at_least kill_messages 30 || fail "kill -9 under Postfix's load" "under 30 arrived before the kill"
kill -KILL "$tern_pid"
wait "$tern_pid" 2>/dev/null || true
arrived_before=$(kill_messages)
start_tern
wait_port 127.0.0.30 25 "Tern after kill -9"
if await 180 at_least kill_messages 300; then
  pass "kill -9 under Postfix's load: 300 of 300 arrived, $arrived_before before the kill, $(($(kill_files | wc -l) - 300)) twice"
else
  fail "kill -9 under Postfix's load" "$(kill_messages) of 300 arrived after 180 s"
fi

echo "interop: $failures failed"
[ "$failures" = 0 ]
