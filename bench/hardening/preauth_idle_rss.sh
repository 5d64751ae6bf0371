#!/usr/bin/env bash
# Memory of connections idling before login: opens CONNECTIONS connections
# to a fresh mailroomd per protocol (IMAP, POP3, LMTP before LHLO), reads
# each greeting, holds them, and prints the daemon's VmRSS growth per
# connection (server/idle_connections_benchmark does the counting).
#
#   CONNECTIONS=10000 PROTOCOLS="imap pop3 lmtp" bench/hardening/preauth_idle_rss.sh
#
# The pre-login deadlines are raised so that no connection is dropped while
# the others open, and max_connections_per_ip is lifted (all come from
# 127.0.0.1). Needs a file-descriptor limit of about twice CONNECTIONS.
set -euo pipefail
CONNECTIONS=${CONNECTIONS:-10000}
PROTOCOLS=${PROTOCOLS:-imap pop3 lmtp}
PORTBASE=${PORTBASE:-23000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
log() { echo "[preauth_idle_rss] $*" >&2; }
source "$ROOT/bench/lib.sh"

# Both the daemon and the client hold one descriptor per connection.
ulimit -n "$(ulimit -Hn)"
if (($(ulimit -n) < 2 * CONNECTIONS + 100)); then
  ulimit -n $((2 * CONNECTIONS + 100)) 2>/dev/null ||
    log "ulimit -n is $(ulimit -n): fewer connections may open"
fi

bazel build //tools:mailroomd //server:idle_connections_benchmark \
  //protocols/imap:libmailroom_imap.so //protocols/pop3:libmailroom_pop3.so \
  //protocols/lmtp:libmailroom_lmtp.so >&2
BIN=$ROOT/bazel-bin
WORK=$(mktemp -d /tmp/preauth-rss.XXXXXX)
DAEMON_PID=
cleanup() {
  if [[ -n $DAEMON_PID ]]; then
    kill "$DAEMON_PID" 2>/dev/null || true
    wait "$DAEMON_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

port_of() {
  case $1 in
    imap) echo $((PORTBASE + 143)) ;;
    pop3) echo $((PORTBASE + 110)) ;;
    lmtp) echo $((PORTBASE + 24)) ;;
  esac
}

for protocol in $PROTOCOLS; do
  rm -rf "$WORK/data" "$WORK/plugins"
  mkdir -p "$WORK/plugins"
  for plugin in imap pop3 lmtp; do
    ln -s "$BIN/protocols/$plugin/libmailroom_$plugin.so" "$WORK/plugins/"
  done
  port=$(port_of "$protocol")
  "$BIN/tools/mailroomd" --data_dir="$WORK/data" --listen=127.0.0.1 \
    --plugin_dir="$WORK/plugins" --hostname=localhost \
    --imap_port=$((PORTBASE + 143)) --imaps_port=0 \
    --pop3_port=$((PORTBASE + 110)) --pop3s_port=0 \
    --lmtp_port=$((PORTBASE + 24)) --lmtp_socket= \
    --max_connections_per_ip=0 --unauthenticated_timeout_seconds=3600 \
    --lmtp_lhlo_timeout_seconds=3600 >"$WORK/mailroomd.log" 2>&1 &
  DAEMON_PID=$!
  wait_port "$port" "$DAEMON_PID" "$WORK/mailroomd.log"
  log "$protocol: $CONNECTIONS connections"
  result=$("$BIN/server/idle_connections_benchmark" --pid="$DAEMON_PID" \
    --port="$port" --connections="$CONNECTIONS" --hold_seconds=3) || true
  echo "$protocol: $(echo "$result" | tr '\n' ' ')"
  kill "$DAEMON_PID"
  wait "$DAEMON_PID" 2>/dev/null || true
  DAEMON_PID=
done
