#!/usr/bin/env bash
# Throughput of `mailroomctl verify` and `repair` (messages checked per
# second) on a RocksDB store of N generated messages in one mailbox, with
# the full-text index caught up. Prints the median of RUNS runs of each:
#   verify, daemon stopped (mailroomctl opens the store itself)
#   verify, daemon running (through its admin socket)
#   repair of a damaged store (a lost body, a wrong counter, a wrong quota,
#   a wrong reference count), daemon stopped; damaged again before each run
# Usage: N=20000 RUNS=3 bench/admin/verify_bench.sh
set -euo pipefail
N=${N:-20000}
RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
log() { echo "[verify_bench] $*" >&2; }

bazel build //tools:mailroomctl //tools:mailroomd \
  //tests/store:damage_store >&2
BIN=$ROOT/bazel-bin
WORK=$(mktemp -d /tmp/verify-bench.XXXXXX)
DATA=$WORK/data
DAEMON_PID=
cleanup() {
  [[ -n $DAEMON_PID ]] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" || true
  rm -rf "$WORK"
}
trap cleanup EXIT

ctl() { "$BIN/tools/mailroomctl" --data_dir="$DATA" "$@"; }

# No protocol plugins: commands reach the daemon through its admin socket.
start_daemon() {
  mkdir -p "$WORK/plugins"
  "$BIN/tools/mailroomd" --data_dir="$DATA" --listen=127.0.0.1 \
    --plugin_dir="$WORK/plugins" --imap_port=0 --imaps_port=0 \
    --pop3_port=0 --pop3s_port=0 --lmtp_port=0 >"$WORK/mailroomd.log" 2>&1 &
  DAEMON_PID=$!
  until grep -q "mailroomd ready" "$WORK/mailroomd.log"; do
    kill -0 "$DAEMON_PID" 2>/dev/null || {
      log "mailroomd exited: $(cat "$WORK/mailroomd.log")"
      exit 1
    }
    sleep 0.1
  done
}
stop_daemon() {
  kill "$DAEMON_PID"
  wait "$DAEMON_PID" || true
  DAEMON_PID=
}

# Seconds one command takes (its output discarded; any exit code).
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rate() { echo "$N / $1" | bc -l | xargs printf "%.0f"; }

log "generating $N messages"
python3 - "$N" >"$WORK/mail.mbox" <<'PY'
import random, sys
n = int(sys.argv[1])
rng = random.Random(7)
words = ("invoice meeting server report budget release ticket customer "
         "deadline backup network storage quarterly review").split()
for i in range(n):
    body = "\n".join(" ".join(rng.choice(words) for _ in range(12))
                     for _ in range(rng.randint(5, 60)))
    sys.stdout.write("From sender@example.com Sat Jan  3 01:05:34 2026\n"
                     "From: Sender %d <sender%d@example.com>\n"
                     "Subject: message %d %s\n\n%s\n\n"
                     % (i % 97, i % 97, i, rng.choice(words), body))
PY
ctl user add bench --password=bench-password >/dev/null
log "importing (daemon running, so the index is built)"
start_daemon
ctl import mbox "$WORK/mail.mbox" --user bench >/dev/null
until [[ $(ctl index status bench --format=plain | awk '{print $2}') == 0 ]]; do
  sleep 1
done
stop_daemon
log "store: $(du -sh "$DATA" | cut -f1)"

verify_stopped=()
for _ in $(seq "$RUNS"); do verify_stopped+=("$(seconds ctl verify)"); done
start_daemon
verify_running=()
for _ in $(seq "$RUNS"); do verify_running+=("$(seconds ctl verify)"); done
stop_daemon
repair=()
for run in $(seq "$RUNS"); do
  uid=$((run * 10))
  "$BIN/tests/store/damage_store" --data_dir="$DATA" \
    drop-body bench INBOX "$uid" -- message-counter bench INBOX 1 -- \
    quota bench 1 1 -- refcount bench INBOX $((uid + 1)) 1
  ctl verify >/dev/null && { log "damage not found"; exit 1; }
  repair+=("$(seconds ctl repair)")
  ctl verify >/dev/null || { log "repair left problems"; exit 1; }
done

v1=$(printf '%s\n' "${verify_stopped[@]}" | median)
v2=$(printf '%s\n' "${verify_running[@]}" | median)
r=$(printf '%s\n' "${repair[@]}" | median)
echo "messages: $N (RocksDB, index caught up), runs: $RUNS, medians:"
printf "verify, daemon stopped:  %6.2f s  %s msgs/s\n" "$v1" "$(rate "$v1")"
printf "verify, daemon running:  %6.2f s  %s msgs/s\n" "$v2" "$(rate "$v2")"
printf "repair (4 damages):      %6.2f s  %s msgs/s\n" "$r" "$(rate "$r")"
