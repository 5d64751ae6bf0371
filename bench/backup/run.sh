#!/usr/bin/env bash
# Backup and restore throughput of a store of MESSAGES messages (default
# 20,000) spread over USERS accounts (default 20), with its full-text index,
# while mailroomd runs:
#   - full backups into fresh directories,
#   - incremental backups after EXTRA (default 1,000) more messages to one
#     user (the other users' index databases are then linked, not copied),
#   - restores of the latest backup into fresh data directories,
# RUNS (default 3) of each; prints the medians (seconds, MB, MB/s).
#
#   bench/backup/run.sh [WORK_DIR]
#
# MAILROOMD, MAILROOMCTL: binaries (default: built with Bazel).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd -P)
MESSAGES=${MESSAGES:-20000}
EXTRA=${EXTRA:-1000}
USERS=${USERS:-20}
RUNS=${RUNS:-3}
WORK=${1:-$(mktemp -d /tmp/backup-bench.XXXXXX)}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd -P)
log() { echo "run.sh: $*" >&2; }

if [[ -z "${MAILROOMD:-}" || -z "${MAILROOMCTL:-}" ]]; then
  (cd "$ROOT" && bazel build //tools:mailroomd //tools:mailroomctl >&2)
  BIN=$(cd "$ROOT" && bazel info bazel-bin 2>/dev/null)
  MAILROOMD=${MAILROOMD:-$BIN/tools/mailroomd}
  MAILROOMCTL=${MAILROOMCTL:-$BIN/tools/mailroomctl}
fi
DATA="$WORK/data"
ctl() { "$MAILROOMCTL" --data_dir="$DATA" "$@"; }
now() { date +%s.%N; }
json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

daemon_pid=""
cleanup() {
  if [[ -n $daemon_pid ]]; then kill "$daemon_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
}
trap cleanup EXIT

# Waits until the index queue is empty (mail imported is indexed).
wait_indexed() {
  while :; do
    queued=$(ctl index status --format=plain | awk '{s += $2} END {print s + 0}')
    [[ $queued == 0 ]] && return
    sleep 1
  done
}

log "generating $MESSAGES + $EXTRA messages for $USERS users in $WORK"
for u in $(seq "$USERS"); do
  python3 "$ROOT/bench/backup/make_mbox.py" $((MESSAGES / USERS)) "$u" \
      > "$WORK/user$u.mbox"
done
python3 "$ROOT/bench/backup/make_mbox.py" "$EXTRA" 0 > "$WORK/extra.mbox"
t0=$(now)
for u in $(seq "$USERS"); do
  ctl user add "user$u" --password=bench-password >/dev/null
  ctl import mbox "$WORK/user$u.mbox" --user "user$u" >/dev/null
done
log "imported $MESSAGES messages in $(echo "$(now) - $t0" | bc) s"

"$MAILROOMD" --data_dir="$DATA" --listen=127.0.0.1 --imap_port=0 \
    --imaps_port=0 --pop3_port=0 --pop3s_port=0 --lmtp_port=0 \
    >"$WORK/mailroomd.log" 2>&1 &
daemon_pid=$!
until grep -q "mailroomd ready" "$WORK/mailroomd.log"; do sleep 0.2; done
t0=$(now)
wait_indexed
log "indexed in $(echo "$(now) - $t0" | bc) s"
log "store: $(du -sm --exclude=index "$DATA" | cut -f1) MB, index: $(du -sm "$DATA/index" | cut -f1) MB"

backup() {  # DIR -> "seconds bytes new_bytes"
  ctl backup create "$1" --json 2>/dev/null |
    python3 -c "import json,sys; d=json.load(sys.stdin); print(d['seconds'], d['bytes'], d['new_bytes'])"
}

: >"$WORK/full" ; : >"$WORK/incremental" ; : >"$WORK/restore"
for r in $(seq "$RUNS"); do
  backup "$WORK/backup$r" >>"$WORK/full"
  log "full backup $r: $(tail -1 "$WORK/full")"
done
ctl import mbox "$WORK/extra.mbox" --user user1 >/dev/null
wait_indexed
for r in $(seq "$RUNS"); do
  backup "$WORK/backup$r" >>"$WORK/incremental"
  log "incremental backup $r: $(tail -1 "$WORK/incremental")"
done
restored_bytes=$(tail -1 "$WORK/incremental" | cut -d' ' -f2)
for r in $(seq "$RUNS"); do
  t0=$(now)
  ctl backup restore "$WORK/backup1" --target_data_dir="$WORK/restored$r" >/dev/null
  echo "$(echo "$(now) - $t0" | bc) $restored_bytes $restored_bytes" >>"$WORK/restore"
  log "restore $r: $(tail -1 "$WORK/restore")"
  rm -rf "$WORK/restored$r"
done

report() {  # NAME FILE
  local s b n
  s=$(cut -d' ' -f1 "$2" | median)
  b=$(cut -d' ' -f2 "$2" | median)
  n=$(cut -d' ' -f3 "$2" | median)
  awk -v name="$1" -v s="$s" -v b="$b" -v n="$n" 'BEGIN {
    printf "%-22s %8.2f s %9.1f MB %9.1f MB %8.1f MB/s\n", name, s,
           b / 1e6, n / 1e6, b / 1e6 / s }'
}
echo "backup bench: $MESSAGES messages of $USERS users (+$EXTRA to one), medians of $RUNS runs, $(nproc) cores"
printf "%-22s %10s %12s %12s %13s\n" "" "time" "backup size" "written" "throughput"
report "full backup" "$WORK/full"
report "incremental backup" "$WORK/incremental"
report "restore (latest)" "$WORK/restore"
