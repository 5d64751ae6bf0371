#!/usr/bin/env bash
# Search side by side: the same generated mailbox in Mailroom and in a
# private Dovecot with fts-xapian, the same IMAP SEARCH queries on both.
#
#   bench/search/side_by_side/run.sh [WORKDIR]
#
# Environment:
#   N=100000          messages (N=20000 for a quick run)
#   SEED=1            generator seed (mail and query terms)
#   REPEATS=5         runs of each query
#   PORTBASE=23000    Mailroom IMAP on PORTBASE+143, Dovecot on PORTBASE+1143
#   DOVECOT_START     the Dovecot peer's start.sh (required unless
#                     SKIP_DOVECOT=1); stop.sh beside it
#   BAZEL_OUTPUT_BASE --output_base for the Bazel build
#   KEEP=1            keep WORKDIR's mail and data afterwards
#   SKIP_DOVECOT=1    Mailroom only (latencies; no answers to compare)
#
# Steps: write_mail writes N messages as an mbox and a maildir; Mailroom
# imports the mbox offline (`mailroomctl import mbox`), then mailroomd
# starts and indexing is timed until `mailroomctl index backlog` shows no
# work; Dovecot gets the maildir files in its mail directory and
# `doveadm index -u user1 INBOX` is timed (it builds Dovecot's own index
# and the fts-xapian index). imap_side_by_side.py then runs the queries on
# both and compares them. Results: WORKDIR/summary.md and results.json.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd -P)
HERE="$ROOT/bench/search/side_by_side"
N=${N:-100000}
SEED=${SEED:-1}
REPEATS=${REPEATS:-5}
PORTBASE=${PORTBASE:-23000}
DOVECOT_START=${DOVECOT_START:-}
if [[ "${SKIP_DOVECOT:-0}" != 1 && -z "$DOVECOT_START" ]]; then
  echo "run.sh: set DOVECOT_START (or SKIP_DOVECOT=1)" >&2
  exit 2
fi
WORK=${1:-$(mktemp -d /tmp/search-side-by-side.XXXXXX)}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd -P)
MR_IMAP=$((PORTBASE + 143))
DC_BASE=$((PORTBASE + 1000))
DC_IMAP=$((DC_BASE + 143))

log() { echo "run.sh: $*" >&2; }
source "$ROOT/bench/lib.sh"
WAIT_PORT_TRIES=600
now() { date +%s.%N; }
elapsed() { python3 -c "print('%.1f' % ($2 - $1))"; }
# CPU seconds (user + system) of the finished children of a subshell: run
# as ( COMMAND; children_cpu ) and read the last line.
children_cpu() { times > "$WORK/.times"; tail -n 1 "$WORK/.times" | python3 -c "
import re, sys
m = [float(a) * 60 + float(b) for a, b in re.findall(r'(\d+)m([\d.]+)s', sys.stdin.read())]
print('%.1f' % sum(m))"; }
# CPU seconds used so far by a running process.
proc_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f\n", ($14 + $15) / hz}' "/proc/$1/stat"; }
kib() { [[ $# -eq 0 ]] && { echo 0; return; }; du -sk "$@" 2>/dev/null | awk '{s += $1} END {print s + 0}'; }

# ---- binaries -----------------------------------------------------------
# MAILROOMD, MAILROOMCTL, PLUGIN_DIR (holding libmailroom_imap.so) and
# WRITE_MAIL may name prebuilt files; otherwise they are built with Bazel.
if [[ -z "${MAILROOMD:-}" || -z "${MAILROOMCTL:-}" || -z "${PLUGIN_DIR:-}" ||
      -z "${WRITE_MAIL:-}" ]]; then
  BAZEL=(bazel)
  [[ -n "${BAZEL_OUTPUT_BASE:-}" ]] && BAZEL+=(--output_base="$BAZEL_OUTPUT_BASE")
  (cd "$ROOT" && "${BAZEL[@]}" build //tools:mailroomd //tools:mailroomctl \
      //protocols/imap:libmailroom_imap.so \
      //bench/search/side_by_side:write_mail >&2)
  BIN=$(cd "$ROOT" && "${BAZEL[@]}" info bazel-bin 2>/dev/null)
  MAILROOMD=${MAILROOMD:-$BIN/tools/mailroomd}
  MAILROOMCTL=${MAILROOMCTL:-$BIN/tools/mailroomctl}
  PLUGIN_DIR=${PLUGIN_DIR:-$BIN/protocols/imap}
  WRITE_MAIL=${WRITE_MAIL:-$BIN/bench/search/side_by_side/write_mail}
fi

MR_PID=""
DC_DIR="$WORK/dovecot"
cleanup() {
  if [[ -n "$MR_PID" ]] && kill -0 "$MR_PID" 2>/dev/null; then
    kill -TERM "$MR_PID"; wait "$MR_PID" 2>/dev/null || true
  fi
  if [[ -f "$DC_DIR/run/master.pid" ]]; then
    "$(dirname "$DOVECOT_START")/stop.sh" "$DC_DIR" >&2 || true
  fi
  if [[ "${KEEP:-0}" != 1 ]]; then
    rm -rf "$WORK/mail.mbox" "$WORK/maildir" "$WORK/mailroom" "$DC_DIR/mail"
  fi
}
trap cleanup EXIT INT TERM


# ---- the mail -----------------------------------------------------------
log "writing $N messages (seed $SEED)"
rm -rf "$WORK/maildir" "$WORK/mailroom" "$DC_DIR"
"$WRITE_MAIL" --messages="$N" --seed="$SEED" \
    --mbox="$WORK/mail.mbox" --maildir="$WORK/maildir" \
    --vocabulary="$WORK/vocabulary.txt" > "$WORK/write_mail.out"
RAW_BYTES=$(awk '{print $4}' "$WORK/write_mail.out")
log "raw mail: $RAW_BYTES bytes (CRLF)"

# ---- Mailroom -----------------------------------------------------------
MR_DATA="$WORK/mailroom/data"
"$MAILROOMCTL" --data_dir="$MR_DATA" user add user1 --password=pass >&2
t0=$(now)
MR_IMPORT_CPU=$( ("$MAILROOMCTL" --data_dir="$MR_DATA" import mbox \
    "$WORK/mail.mbox" --user user1 >&2; children_cpu) | tail -n 1)
t1=$(now)
MR_IMPORT_S=$(elapsed "$t0" "$t1")
log "mailroom: import $MR_IMPORT_S s"
"$MAILROOMD" --data_dir="$MR_DATA" --listen=127.0.0.1 \
    --imap_port=$MR_IMAP --imaps_port=0 --pop3_port=0 --pop3s_port=0 \
    --lmtp_port=0 --plugin_dir="$PLUGIN_DIR" --allow_plaintext_auth \
    --hostname=side-by-side.test \
    > "$WORK/mailroomd.log" 2>&1 &
MR_PID=$!
t0=$(now)
wait_port $MR_IMAP "$MR_PID" "$WORK/mailroomd.log"
while true; do
  backlog=$("$MAILROOMCTL" --data_dir="$MR_DATA" index backlog)
  pending=$(echo "$backlog" | awk '{s += $2} END {print s + 0}')
  [[ "$pending" == 0 ]] && break
  sleep 0.5
done
t1=$(now)
MR_INDEX_S=$(elapsed "$t0" "$t1")
MR_INDEX_CPU=$(proc_cpu "$MR_PID")
log "mailroom: import $MR_IMPORT_CPU CPU s; indexed in $MR_INDEX_S s, $MR_INDEX_CPU CPU s (daemon start-up included)"
MR_DATA_KB=$(kib "$MR_DATA")
MR_INDEX_KB=$(kib "$MR_DATA/index")

# ---- Dovecot ------------------------------------------------------------
DC_INDEX_S=0 DC_INDEX_CPU=0 DC_FTS_KB=0 DC_OWN_KB=0
SERVERS=(--server "mailroom=127.0.0.1:$MR_IMAP")
if [[ "${SKIP_DOVECOT:-0}" != 1 ]]; then
mkdir -p "$DC_DIR"
FTS=xapian "$DOVECOT_START" "$DC_DIR" "$DC_BASE" >&2
DC_CONF="$DC_DIR/dovecot.conf"
DC_HOME="$DC_DIR/mail/user1"
mkdir -p "$DC_HOME"
cp -al "$WORK/maildir" "$DC_HOME/Maildir"
MAIL_OWNER=$(stat -c %u:%g "$DC_DIR/mail")
chown -R "$MAIL_OWNER" "$DC_HOME"
t0=$(now)
DC_INDEX_CPU=$( (doveadm -c "$DC_CONF" index -u user1 INBOX >&2; children_cpu) \
    | tail -n 1)
t1=$(now)
DC_INDEX_S=$(elapsed "$t0" "$t1")
log "dovecot: indexed in $DC_INDEX_S s, doveadm $DC_INDEX_CPU CPU s"
DC_FTS_KB=$(kib $(find "$DC_HOME" -type d -name "xapian-indexes*" -prune))
DC_OWN_KB=$(kib "$DC_HOME"/Maildir/dovecot*)
SERVERS+=(--server "dovecot=127.0.0.1:$DC_IMAP")
fi

# ---- queries ------------------------------------------------------------
log "queries"
python3 "$HERE/imap_side_by_side.py" --maildir "$WORK/maildir" \
    --vocabulary "$WORK/vocabulary.txt" --messages "$N" --seed "$SEED" \
    --repeats "$REPEATS" "${SERVERS[@]}" --json "$WORK/results.json" \
    > "$WORK/table.md" 2> "$WORK/queries.log"

# Mailroom's data after the queries (the flag changes are in it too).
MR_DATA_KB=$(kib "$MR_DATA")
python3 - "$N" "$RAW_BYTES" "$MR_IMPORT_S" "$MR_INDEX_S" "$MR_DATA_KB" \
    "$MR_INDEX_KB" "$DC_INDEX_S" "$DC_FTS_KB" "$DC_OWN_KB" "$MR_IMPORT_CPU" \
    "$MR_INDEX_CPU" "$DC_INDEX_CPU" \
    > "$WORK/summary.md" <<'EOF'
import sys
(n, raw, mr_import, mr_index, mr_data, mr_index_kb, dc_index, dc_fts, dc_own,
 mr_import_cpu, mr_index_cpu, dc_index_cpu) = sys.argv[1:]
n, raw = int(n), int(raw)
mib = lambda kb: int(kb) / 1024
pct = lambda kb: 100 * int(kb) * 1024 / raw
print("messages: %d, raw mail %.0f MiB" % (n, raw / 2**20))
print()
print("| | Mailroom | Dovecot + fts-xapian |")
print("|---|---|---|")
print("| load | import %s s, %s CPU s (offline, mbox) | maildir files "
      "copied in |" % (mr_import, mr_import_cpu))
rate = lambda s: n / float(s) if float(s) > 0 else float("nan")
print("| indexing | %s s, %.0f msgs/s (import + indexing: %.0f msgs/s) "
      "| %s s, %.0f msgs/s |" % (
    mr_index, rate(mr_index), rate(float(mr_import) + float(mr_index)),
    dc_index, rate(dc_index)))
print("| indexing CPU | %s s (mailroomd) | %s s (doveadm index) |" % (
    mr_index_cpu, dc_index_cpu))
print("| full-text index | %.0f MiB (%.0f%% of raw) | %.0f MiB (%.0f%% of raw) |" % (
    mib(mr_index_kb), pct(mr_index_kb), mib(dc_fts), pct(dc_fts)))
print("| everything else | store %.0f MiB (mail, metadata, index) | "
      "dovecot.index* %.0f MiB (+ the maildir itself) |" % (
          mib(mr_data), mib(dc_own)))
EOF
echo >> "$WORK/summary.md"
cat "$WORK/table.md" >> "$WORK/summary.md"
cat "$WORK/summary.md"
log "results in $WORK"
