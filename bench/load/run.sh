#!/usr/bin/env bash
# Runs imap_load against a fresh mailroomd and then a fresh private Dovecot,
# with the same workloads, and prints the figures side by side with ratios.
#
#   PEER_DOVECOT=/path/to/peers/dovecot bench/load/run.sh [RESULTS_DIR]
#
# Environment (defaults in brackets):
#   PEER_DOVECOT      folder holding the peer's start.sh and stop.sh; unset or
#                     SKIP_PEER=1 runs Mailroom only
#   CONNECTIONS [8]   sessions per workload   LOAD_SECONDS [20] per workload
#   WORKLOADS ["mix fetch-headers fetch-parts store search idle append"]
#                     (append last: it grows the mailbox the others read)
#   IDLE [1000]       idle sessions for the memory figure (0 = skip)
#   POPULATE [300]    messages appended from the corpus before the runs
#   MAILROOM_CORPUS_DIR [~/.cache/mailroom/corpus]
#   PORTBASE [21000]  Mailroom on PORTBASE+143, Dovecot on PORTBASE+1143
#   PEER_PROCESS_LIMIT [2000]  Dovecot's default_process_limit and
#                     default_client_limit, raised so that IDLE sessions
#                     (one imap process each) are not capped at 100
#   BAZEL_OUTPUT_BASE [$HOME/.cache/mailroom/bazel-bench]
#   IMAP_PLUGIN       a prebuilt libmailroom_imap.so (default: built here)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd -P)
RESULTS=${1:-$(mktemp -d /tmp/imap-load-results.XXXXXX)}
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd -P)
CONNECTIONS=${CONNECTIONS:-8}
SECONDS_PER=${LOAD_SECONDS:-20}
WORKLOADS=${WORKLOADS:-mix fetch-headers fetch-parts store search idle append}
IDLE=${IDLE:-1000}
POPULATE=${POPULATE:-300}
PORTBASE=${PORTBASE:-21000}
OUTPUT_BASE=${BAZEL_OUTPUT_BASE:-$HOME/.cache/mailroom/bazel-bench}
export MAILROOM_CORPUS_DIR=${MAILROOM_CORPUS_DIR:-$HOME/.cache/mailroom/corpus}

log() { echo "run.sh: $*" >&2; }
source "$ROOT/bench/lib.sh"

# ---- binaries ---------------------------------------------------------------
(cd "$ROOT" && bazel --output_base="$OUTPUT_BASE" build //bench/load:imap_load \
    //tools:mailroomd //tools:mailroomctl >&2)
BIN=$(cd "$ROOT" && bazel --output_base="$OUTPUT_BASE" info bazel-bin 2>/dev/null)
LOAD=$BIN/bench/load/imap_load
# The plugin may be mid-edit in a shared checkout: IMAP_PLUGIN overrides it,
# and a failed build falls back to the workspace's bazel-bin copy.
if [[ -z "${IMAP_PLUGIN:-}" ]]; then
  IMAP_PLUGIN=$BIN/protocols/imap/libmailroom_imap.so
  if ! (cd "$ROOT" && bazel --output_base="$OUTPUT_BASE" build \
        //protocols/imap:libmailroom_imap.so >&2); then
    IMAP_PLUGIN=$ROOT/bazel-bin/protocols/imap/libmailroom_imap.so
    log "IMAP plugin did not build; using $IMAP_PLUGIN"
  fi
fi


# run_all NAME PORT PID: populate, idle memory, then every workload.
run_all() {
  local name=$1 port=$2 pid=$3 out="$RESULTS/$1.jsonl"
  : > "$out"
  log "$name: populating $POPULATE messages"
  "$LOAD" --port="$port" --populate="$POPULATE" --seconds=0 2>>"$RESULTS/$name.log"
  # One untimed SEARCH first, so a server that indexes lazily (Dovecot's
  # fts-xapian) does not charge its first full indexing to one workload.
  "$LOAD" --port="$port" --workload=search --connections=1 --max_commands=1 \
      --timeout_seconds=300 > /dev/null 2>>"$RESULTS/$name.log"
  # Idle memory first, while both mailboxes hold the same POPULATE messages
  # (a session's view grows with its mailbox; the workloads append).
  if ((IDLE > 0)); then
    log "$name: $IDLE idle sessions"
    "$LOAD" --port="$port" --label="$name" --idle_connections="$IDLE" \
        --server_pid="$pid" >> "$out" 2>>"$RESULTS/$name.log" || true
  fi
  for w in $WORKLOADS; do
    log "$name: $w, $CONNECTIONS connections, ${SECONDS_PER}s"
    "$LOAD" --port="$port" --label="$name" --workload="$w" \
        --connections="$CONNECTIONS" --seconds="$SECONDS_PER" \
        >> "$out" 2>>"$RESULTS/$name.log"
  done
}

MR_DIR=$(mktemp -d /tmp/imap-load-mailroom.XXXXXX)
MR_PID=""
PEER_DIR=""
cleanup() {
  if [[ -n "$MR_PID" ]] && kill -0 "$MR_PID" 2>/dev/null; then
    kill -TERM "$MR_PID"; wait "$MR_PID" 2>/dev/null || true
  fi
  rm -rf "$MR_DIR"
  if [[ -n "$PEER_DIR" ]]; then
    "$PEER_DOVECOT/stop.sh" "$PEER_DIR" >&2 || true
    rm -rf "$PEER_DIR"
  fi
}
trap cleanup EXIT INT TERM

# ---- Mailroom ---------------------------------------------------------------
mkdir -p "$MR_DIR/plugins"
ln -s "$(readlink -f "$IMAP_PLUGIN")" "$MR_DIR/plugins/libmailroom_imap.so"
"$BIN/tools/mailroomd" --data_dir="$MR_DIR/data" --listen=127.0.0.1 \
    --plugin_dir="$MR_DIR/plugins" --imap_port=$((PORTBASE + 143)) \
    --imaps_port=0 --pop3_port=0 --pop3s_port=0 --lmtp_port=0 \
    --allow_plaintext_auth --max_connections_per_ip=0 --hostname=localhost \
    > "$RESULTS/mailroomd.log" 2>&1 &
MR_PID=$!
wait_port $((PORTBASE + 143)) "$MR_PID" "$RESULTS/mailroomd.log"
"$BIN/tools/mailroomctl" --data_dir="$MR_DIR/data" user add user1 --password=pass >&2
run_all mailroom $((PORTBASE + 143)) "$MR_PID"
kill -TERM "$MR_PID"; wait "$MR_PID" 2>/dev/null || true
MR_PID=""

# ---- Dovecot ----------------------------------------------------------------
if [[ "${SKIP_PEER:-0}" == 1 || -z "${PEER_DOVECOT:-}" ]]; then
  log "no PEER_DOVECOT (or SKIP_PEER=1): Mailroom only"
  cat "$RESULTS/mailroom.jsonl"
  exit 0
fi
PEER_DIR=$(mktemp -d /tmp/imap-load-dovecot.XXXXXX)
"$PEER_DOVECOT/start.sh" "$PEER_DIR" $((PORTBASE + 1000)) >&2
PEER_PID=$(cat "$PEER_DIR/run/master.pid")
LIMIT=${PEER_PROCESS_LIMIT:-2000}
printf 'default_process_limit = %s\ndefault_client_limit = %s\n' "$LIMIT" "$LIMIT" \
    >> "$PEER_DIR/dovecot.conf"
kill -HUP "$PEER_PID"  # reload the configuration with the raised limits
sleep 1
wait_port $((PORTBASE + 1143))
run_all dovecot $((PORTBASE + 1143)) "$PEER_PID"

# ---- ratios -----------------------------------------------------------------
python3 - "$RESULTS/mailroom.jsonl" "$RESULTS/dovecot.jsonl" <<'PY' | tee "$RESULTS/ratios.txt"
import json, sys

def load(path):
    with open(path) as f:
        return {r["workload"]: r for r in map(json.loads, filter(str.strip, f))}

mr, dc = load(sys.argv[1]), load(sys.argv[2])
def ratio(a, b):
    return "%.2f" % (a / b) if b else "-"
def ratio3(a, b):
    return "%.4f" % (a / b) if b else "-"
print("%-14s %-14s %10s %10s %7s   %8s %8s %7s" % (
    "workload", "command", "mr/s", "dc/s", "mr/dc",
    "mr p99", "dc p99", "mr/dc"))
for w, m in mr.items():
    d = dc.get(w)
    if d is None or w == "idle_memory":
        continue
    print("%-14s %-14s %10.1f %10.1f %7s" % (
        w, "(all)", m["commands_per_s"], d["commands_per_s"],
        ratio(m["commands_per_s"], d["commands_per_s"])))
    for c, mc in m["per_command"].items():
        dcc = d["per_command"].get(c)
        if dcc is None or c in ("login", "select"):
            continue
        print("%-14s %-14s %10.1f %10.1f %7s   %8.2f %8.2f %7s" % (
            "", c, mc["per_s"], dcc["per_s"], ratio(mc["per_s"], dcc["per_s"]),
            mc["p99_ms"], dcc["p99_ms"], ratio(mc["p99_ms"], dcc["p99_ms"])))
if "idle_memory" in mr and "idle_memory" in dc:
    m, d = mr["idle_memory"], dc["idle_memory"]
    print("idle memory: mailroom %d/%d open, %.1f KiB RSS (%.1f PSS) per session;"
          " dovecot %d/%d open, %.1f KiB RSS (%.1f PSS) per session;"
          " RSS ratio mr/dc %s, PSS ratio %s" % (
              m["idle_open"], m["idle_requested"], m["rss_per_idle_kb"],
              m["pss_per_idle_kb"], d["idle_open"], d["idle_requested"],
              d["rss_per_idle_kb"], d["pss_per_idle_kb"],
              ratio3(m["rss_per_idle_kb"], d["rss_per_idle_kb"]),
              ratio3(m["pss_per_idle_kb"], d["pss_per_idle_kb"])))
PY
log "results in $RESULTS"
