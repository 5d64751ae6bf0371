#!/usr/bin/env bash
# CPU a fresh mailroomd spends per delivered message with the full-text
# index on: the corpus is delivered over LMTP by the shared load tool
# (`mailbench.py deliver`), then the daemon is left until its index queue
# has drained (its CPU time stops growing). Prints the daemon's CPU-seconds
# (user + sys, every thread) at the end of delivery and once idle, per
# message and as messages per CPU-second.
#
#   MAILBENCH=/path/to/mailbench.py bench/indexing/delivery_cpu.sh
#
# Environment: MAILBENCH (required), CORPUS (default
# ~/.cache/mailroom/bench-corpus/eml), PORTBASE (default 20000; LMTP on
# PORTBASE+24), MAILROOMD / MAILROOMCTL (default: built with Bazel),
# MAILROOMD_FLAGS (more daemon flags, e.g. --index_commit_delay_ms=0).
# Loopback only.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd -P)
MAILBENCH=${MAILBENCH:?set MAILBENCH to the path of mailbench.py}
CORPUS=${CORPUS:-$HOME/.cache/mailroom/bench-corpus/eml}
PORTBASE=${PORTBASE:-20000}
log() { echo "delivery_cpu.sh: $*" >&2; }
source "$ROOT/bench/lib.sh"

build_daemon "$ROOT"

DIR=$(mktemp -d /tmp/delivery-cpu.XXXXXX)
PID=""
cleanup() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID"; wait "$PID" 2>/dev/null || true
  fi
  rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

# utime + stime of the process, in seconds.
cpu_seconds() {
  local hz
  hz=$(getconf CLK_TCK)
  awk -v hz="$hz" '{ sub(/^.*\) /, ""); print ($12 + $13) / hz }' \
      "/proc/$PID/stat"
}

"$MAILROOMD" --data_dir="$DIR/data" --listen=127.0.0.1 \
    --imap_port=$((PORTBASE + 143)) --imaps_port=0 \
    --pop3_port=0 --pop3s_port=0 --managesieve_port=0 \
    --lmtp_port=$((PORTBASE + 24)) \
    --allow_plaintext_auth --max_connections_per_ip=0 \
    --hostname=delivery-cpu.test ${MAILROOMD_FLAGS:-} > "$DIR/mailroomd.log" 2>&1 &
PID=$!
wait_port $((PORTBASE + 24)) "$PID" "$DIR/mailroomd.log"
"$MAILROOMCTL" --data_dir="$DIR/data" user add user1 --password=pass >&2
start=$(cpu_seconds)
python3 "$MAILBENCH" deliver --host 127.0.0.1 --lmtp-port $((PORTBASE + 24)) \
    --imap-port $((PORTBASE + 143)) --user user1 --password pass \
    --corpus "$CORPUS" > "$DIR/deliver.json" 2> "$DIR/deliver.log"
delivered=$(cpu_seconds)
count=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"]["deliver"]["delivered_ok"])' "$DIR/deliver.json")
rate=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"]["deliver"]["msgs_per_s"])' "$DIR/deliver.json")
# Idle: no CPU time gained over 3 seconds (the index queue has drained).
previous=""
current=$(cpu_seconds)
while [[ "$current" != "$previous" ]]; do
  previous=$current
  sleep 3
  current=$(cpu_seconds)
done
awk -v n="$count" -v s="$start" -v d="$delivered" -v i="$current" -v r="$rate" 'BEGIN {
  printf "delivered %d messages at %.0f msg/s\n", n, r
  printf "daemon CPU at the end of delivery: %.2f s (%.2f ms/msg)\n", d - s, 1000 * (d - s) / n
  printf "daemon CPU once indexed:           %.2f s (%.2f ms/msg, %.0f msgs/CPU-s)\n", i - s, 1000 * (i - s) / n, n / (i - s)
}'
