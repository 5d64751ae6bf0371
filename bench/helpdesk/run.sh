#!/usr/bin/env bash
# Shared-helpdesk-mailbox benchmark: Mailroom and a private Dovecot side by
# side on loopback, the same mailboxes loaded into both, the same workloads
# (helpdesk_bench.py run) against each, then a Markdown table and JSON of
# the figures with ratios Mailroom/Dovecot.
#
#   bench/helpdesk/run.sh [RESULTS_DIR]
#
# Environment (defaults in brackets):
#   PEER_DOVECOT     (required) folder with the Dovecot peer's start.sh/stop.sh
#   QUICK=1          small sizes: 1,8 connections; 1,100 watchers; 20 changes;
#                    10,100,1000 changes; 1k,10k messages; 3 runs
#   STORE_CONNECTIONS [1,8,64]  STORE_SECONDS [5]  STORE_REPS [3]
#   WATCHERS [1,100,1000]       IDLE_CHANGES [50]
#   CHANGES [10,100,1000,10000] SIZES [1000,10000,100000]  REPS [5]
#   PORTBASE [random free]  Mailroom IMAP on PORTBASE+143, Dovecot on
#                    PORTBASE+1143 (+1110 POP3, +1024 LMTP)
#   PEER_PROCESS_LIMIT [2000]  Dovecot default_process_limit/client_limit
#   PEER_USER_CONNECTIONS [1100]  Dovecot mail_max_userip_connections
#   RAISE_INOTIFY [1]  raise fs.inotify.max_user_instances to 2048 for the
#                    run (Dovecot's IDLE uses one inotify instance per
#                    session; at the default 128 the rest poll) and restore
#   BAZEL_OUTPUT_BASE [$HOME/.cache/mailroom/bazel-bench]
#   MAILROOMD, MAILROOMCTL, IMAP_PLUGIN  prebuilt files (skip the build)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
source "$ROOT/bench/lib.sh"
WAIT_PORT_TRIES=600
RESULTS=${1:-$(mktemp -d /tmp/helpdesk-results.XXXXXX)}
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd -P)
PEER_DOVECOT=${PEER_DOVECOT:?set PEER_DOVECOT to the folder holding the Dovecot start.sh and stop.sh}
if [[ -z "${PORTBASE:-}" ]]; then
  # A random base whose ports are free: other benchmarks may share the box.
  for _ in $(seq 50); do
    PORTBASE=$((30000 + 100 * (RANDOM % 300)))
    busy=0
    for p in 143 1024 1110 1143; do
      if port_busy $((PORTBASE + p)); then busy=1; fi
    done
    ((busy)) || break
  done
fi
OUTPUT_BASE=${BAZEL_OUTPUT_BASE:-$HOME/.cache/mailroom/bazel-bench}
if [[ "${QUICK:-0}" == 1 ]]; then
  : "${STORE_CONNECTIONS:=1,8}" "${WATCHERS:=1,100}" "${IDLE_CHANGES:=20}"
  : "${CHANGES:=10,100,1000}" "${SIZES:=1000,10000}" "${REPS:=3}"
  : "${STORE_SECONDS:=3}" "${STORE_REPS:=1}"
fi
STORE_CONNECTIONS=${STORE_CONNECTIONS:-1,8,64}
STORE_SECONDS=${STORE_SECONDS:-5}
STORE_REPS=${STORE_REPS:-3}
WATCHERS=${WATCHERS:-1,100,1000}
IDLE_CHANGES=${IDLE_CHANGES:-50}
CHANGES=${CHANGES:-10,100,1000,10000}
SIZES=${SIZES:-1000,10000,100000}
REPS=${REPS:-5}
BENCH=(python3 "$HERE/helpdesk_bench.py")

log() { echo "run.sh: $*" >&2; }

# ---- binaries ---------------------------------------------------------------
if [[ -z "${MAILROOMD:-}" || -z "${MAILROOMCTL:-}" || -z "${IMAP_PLUGIN:-}" ]]; then
  (cd "$ROOT" && bazel --output_base="$OUTPUT_BASE" build //tools:mailroomd \
      //tools:mailroomctl //protocols/imap:libmailroom_imap.so >&2)
  BIN=$(cd "$ROOT" && bazel --output_base="$OUTPUT_BASE" info bazel-bin 2>/dev/null)
  MAILROOMD=${MAILROOMD:-$BIN/tools/mailroomd}
  MAILROOMCTL=${MAILROOMCTL:-$BIN/tools/mailroomctl}
  IMAP_PLUGIN=${IMAP_PLUGIN:-$BIN/protocols/imap/libmailroom_imap.so}
fi
(cd "$ROOT" && git log -1 --format='commit %h %cI %s') > "$RESULTS/commit.txt" || true


MR_DIR=$(mktemp -d /tmp/helpdesk-mailroom.XXXXXX)
PEER_DIR=$(mktemp -d /tmp/helpdesk-dovecot.XXXXXX)
MBOX_DIR=$(mktemp -d /tmp/helpdesk-mbox.XXXXXX)
MR_PID=""
PEER_STARTED=0
INOTIFY_FILE=/proc/sys/fs/inotify/max_user_instances
INOTIFY_BEFORE=""
cleanup() {
  if [[ -n "$MR_PID" ]] && kill -0 "$MR_PID" 2>/dev/null; then
    kill -TERM "$MR_PID"; wait "$MR_PID" 2>/dev/null || true
  fi
  if ((PEER_STARTED)); then "$PEER_DOVECOT/stop.sh" "$PEER_DIR" >&2 || true; fi
  if [[ -n "$INOTIFY_BEFORE" ]]; then echo "$INOTIFY_BEFORE" > "$INOTIFY_FILE" || true; fi
  rm -rf "$MR_DIR" "$PEER_DIR" "$MBOX_DIR"
}
trap cleanup EXIT INT TERM

ulimit -n "$(ulimit -Hn)"
if [[ "${RAISE_INOTIFY:-1}" == 1 && -w "$INOTIFY_FILE" ]] &&
   (($(cat "$INOTIFY_FILE") < 2048)); then
  INOTIFY_BEFORE=$(cat "$INOTIFY_FILE")
  echo 2048 > "$INOTIFY_FILE"
  log "fs.inotify.max_user_instances $INOTIFY_BEFORE -> 2048 for this run"
fi
echo "inotify_max_user_instances=$(cat "$INOTIFY_FILE")" >> "$RESULTS/commit.txt"

# ---- the same mailboxes for both ----------------------------------------------
largest_change=$(tr ',' '\n' <<< "$CHANGES" | sort -n | tail -1)
declare -A COUNT=([Helpdesk]=2000 [Notify]=2000 [Changes]=$((largest_change > 1000 ? largest_change : 1000)))
for n in ${SIZES//,/ }; do COUNT[Size$n]=$n; done

"$MAILROOMCTL" --data_dir="$MR_DIR/data" user add user1 --password=pass >&2
for box in "${!COUNT[@]}"; do
  n=${COUNT[$box]}
  log "loading $box: $n messages"
  "${BENCH[@]}" mbox "$MBOX_DIR/$box.mbox" "$n"
  start=$(date +%s.%N)
  "$MAILROOMCTL" --data_dir="$MR_DIR/data" import mbox "$MBOX_DIR/$box.mbox" \
      --user=user1 --mailbox="$box" >&2
  rm -f "$MBOX_DIR/$box.mbox"
  mid=$(date +%s.%N)
  "${BENCH[@]}" maildir "$PEER_DIR/mail/user1/Maildir/.$box" "$n"
  touch "$PEER_DIR/mail/user1/Maildir/.$box/maildirfolder"
  end=$(date +%s.%N)
  awk -v b="$box" -v n="$n" -v s="$start" -v m="$mid" -v e="$end" \
      'BEGIN { printf "%s %d messages: mailroom import %.1f s, dovecot maildir %.1f s\n", b, n, m - s, e - m }' \
      >> "$RESULTS/load.txt"
done

# ---- servers ------------------------------------------------------------------
mkdir -p "$MR_DIR/plugins"
ln -s "$(readlink -f "$IMAP_PLUGIN")" "$MR_DIR/plugins/libmailroom_imap.so"
"$MAILROOMD" --data_dir="$MR_DIR/data" --listen=127.0.0.1 \
    --plugin_dir="$MR_DIR/plugins" --imap_port=$((PORTBASE + 143)) \
    --imaps_port=0 --pop3_port=0 --pop3s_port=0 --lmtp_port=0 \
    --allow_plaintext_auth --max_connections_per_ip=0 --hostname=localhost \
    > "$RESULTS/mailroomd.log" 2>&1 &
MR_PID=$!
wait_port $((PORTBASE + 143)) "$MR_PID" "$RESULTS/mailroomd.log"

PEER_STARTED=1
"$PEER_DOVECOT/start.sh" "$PEER_DIR" $((PORTBASE + 1000)) >&2
chown -R "$(stat -c %u:%g "$PEER_DIR/mail")" "$PEER_DIR/mail/user1"
LIMIT=${PEER_PROCESS_LIMIT:-2000}
printf 'default_process_limit = %s\ndefault_client_limit = %s\n' "$LIMIT" "$LIMIT" \
    >> "$PEER_DIR/dovecot.conf"
# The peer allows one user 1,000 IMAP sessions: 1,000 watchers plus the
# writer need one more (a later protocol block overrides the earlier one).
printf 'protocol imap {\n  mail_max_userip_connections = %s\n}\n' \
    "${PEER_USER_CONNECTIONS:-1100}" >> "$PEER_DIR/dovecot.conf"
kill -HUP "$(cat "$PEER_DIR/run/master.pid")"  # reload with the raised limits
sleep 1
wait_port $((PORTBASE + 1143))

run_bench() {  # LABEL PORT
  log "benchmarking $1"
  "${BENCH[@]}" run --label="$1" --port="$2" --user=user1 --password=pass \
      --store_connections="$STORE_CONNECTIONS" --store_seconds="$STORE_SECONDS" \
      --reps_store="$STORE_REPS" --idle_watchers="$WATCHERS" \
      --idle_changes="$IDLE_CHANGES" --changes="$CHANGES" --sizes="$SIZES" \
      --reps="$REPS" > "$RESULTS/$1.json" 2> >(tee "$RESULTS/$1.log" >&2)
}
run_bench mailroom $((PORTBASE + 143))
run_bench dovecot $((PORTBASE + 1143))

MACHINE="Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB, shared with other builds (load average $(cut -d' ' -f1-3 /proc/loadavg)); $(head -1 "$RESULTS/commit.txt"); Dovecot $(dovecot --version | cut -d' ' -f1) maildir. All sessions log in as one user (user1) on both servers."
"${BENCH[@]}" report "$RESULTS/mailroom.json" "$RESULTS/dovecot.json" \
    --json="$RESULTS/helpdesk.json" --machine="$MACHINE" | tee "$RESULTS/helpdesk.md"
log "results in $RESULTS"
