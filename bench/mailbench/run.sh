#!/usr/bin/env bash
# Runs the shared mailbench load tool (`mailbench.py all`) against a fresh
# mailroomd and then against a fresh private Dovecot, and prints the main
# figures side by side with their ratios.
#
#   MAILBENCH=/path/to/mailbench.py bench/mailbench/run.sh [RESULTS_DIR]
#
# Environment:
#   MAILBENCH        path of mailbench.py (required)
#   CORPUS           directory of .eml files (default: built once with the
#                    corpus.py next to MAILBENCH into ~/.cache/mailroom/bench-corpus)
#   DOVECOT_START    the peer's start.sh (default: ../peers/dovecot/start.sh
#                    relative to MAILBENCH's directory); stop.sh must sit next
#                    to it. SKIP_PEER=1 runs Mailroom only; PEER_FTS=none
#                    runs Dovecot without full-text search (default xapian).
#   PORTBASE         Mailroom listens on PORTBASE+143/+110/+24, Dovecot on
#                    PORTBASE+1000+... (default 20000)
#   MAILBENCH_ARGS   extra arguments for `mailbench.py all`
#   MAILROOMD, MAILROOMCTL  prebuilt binaries (default: built with Bazel)
#   BAZEL_OUTPUT_BASE       --output_base for that Bazel build
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd -P)
HERE="$ROOT/bench/mailbench"
MAILBENCH=${MAILBENCH:?set MAILBENCH to the path of mailbench.py}
MAILBENCH=$(cd "$(dirname "$MAILBENCH")" && pwd -P)/$(basename "$MAILBENCH")
RESULTS=${1:-$(mktemp -d /tmp/mailbench-results.XXXXXX)}
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd -P)
PORTBASE=${PORTBASE:-20000}
DOVECOT_START=${DOVECOT_START:-$(dirname "$MAILBENCH")/../peers/dovecot/start.sh}
CORPUS=${CORPUS:-$HOME/.cache/mailroom/bench-corpus/eml}

log() { echo "run.sh: $*" >&2; }
source "$ROOT/bench/lib.sh"

# ---- corpus -------------------------------------------------------------
if [[ ! -d "$CORPUS" ]]; then
  log "building the corpus in $(dirname "$CORPUS")"
  python3 "$(dirname "$MAILBENCH")/corpus.py" --npm-pack --out "$(dirname "$CORPUS")" >&2
fi

# ---- binaries -----------------------------------------------------------
if [[ -z "${MAILROOMD:-}" || -z "${MAILROOMCTL:-}" ]]; then
  BAZEL=(bazel)
  [[ -n "${BAZEL_OUTPUT_BASE:-}" ]] && BAZEL+=(--output_base="$BAZEL_OUTPUT_BASE")
  (cd "$ROOT" && "${BAZEL[@]}" build //tools:mailroomd //tools:mailroomctl \
      //protocols/imap:libmailroom_imap.so //protocols/pop3:libmailroom_pop3.so \
      //protocols/lmtp:libmailroom_lmtp.so >&2)
  BIN=$(cd "$ROOT" && "${BAZEL[@]}" info bazel-bin 2>/dev/null)
  MAILROOMD=${MAILROOMD:-$BIN/tools/mailroomd}
  MAILROOMCTL=${MAILROOMCTL:-$BIN/tools/mailroomctl}
fi


run_bench() {  # NAME IMAP POP3 LMTP
  log "mailbench all against $1"
  # shellcheck disable=SC2086
  python3 "$MAILBENCH" all --host 127.0.0.1 --imap-port "$2" --pop3-port "$3" \
      --lmtp-port "$4" --user user1 --password pass --corpus "$CORPUS" \
      --label "$1" ${MAILBENCH_ARGS:-} > "$RESULTS/$1.json" 2> "$RESULTS/$1.log"
}

# ---- Mailroom -----------------------------------------------------------
# (SKIP_MAILROOM=1 keeps an earlier RESULTS_DIR/mailroom.json.)
MR_DIR=$(mktemp -d /tmp/mailbench-mailroom.XXXXXX)
MR_PID=""
PEER_DIR=""
cleanup() {
  if [[ -n "$MR_PID" ]] && kill -0 "$MR_PID" 2>/dev/null; then
    kill -TERM "$MR_PID"; wait "$MR_PID" 2>/dev/null || true
  fi
  rm -rf "$MR_DIR"
  if [[ -n "$PEER_DIR" ]]; then
    "$(dirname "$DOVECOT_START")/stop.sh" "$PEER_DIR" >&2 || true
    rm -rf "$PEER_DIR"
  fi
}
trap cleanup EXIT INT TERM

if [[ "${SKIP_MAILROOM:-0}" != 1 ]]; then
"$MAILROOMD" --data_dir="$MR_DIR/data" --listen=127.0.0.1 \
    --imap_port=$((PORTBASE + 143)) --imaps_port=0 \
    --pop3_port=$((PORTBASE + 110)) --pop3s_port=0 \
    --lmtp_port=$((PORTBASE + 24)) --allow_plaintext_auth \
    --max_connections_per_ip=0 --hostname=mailbench.test \
    > "$RESULTS/mailroomd.log" 2>&1 &
MR_PID=$!
wait_port $((PORTBASE + 143)) "$MR_PID" "$RESULTS/mailroomd.log"
"$MAILROOMCTL" --data_dir="$MR_DIR/data" user add user1 --password=pass >&2
run_bench mailroom $((PORTBASE + 143)) $((PORTBASE + 110)) $((PORTBASE + 24))
du -sk "$MR_DIR/data" | cut -f1 > "$RESULTS/mailroom.data_kb"
kill -TERM "$MR_PID"; wait "$MR_PID" 2>/dev/null || true
MR_PID=""
fi

# ---- Dovecot ------------------------------------------------------------
if [[ "${SKIP_PEER:-0}" != 1 ]]; then
  PEER_BASE=$((PORTBASE + 1000))
  PEER_DIR=$(mktemp -d /tmp/mailbench-dovecot.XXXXXX)
  FTS=${PEER_FTS:-xapian} "$DOVECOT_START" "$PEER_DIR" "$PEER_BASE" >&2
  if ! run_bench dovecot $((PEER_BASE + 143)) $((PEER_BASE + 110)) $((PEER_BASE + 24)); then
    log "mailbench failed against dovecot; see $RESULTS/dovecot.log"
    tail -n 3 "$RESULTS/dovecot.log" >&2
    exit 1
  fi
  du -sk "$PEER_DIR/mail" | cut -f1 > "$RESULTS/dovecot.data_kb"
  python3 "$HERE/ratios.py" "$RESULTS/mailroom.json" "$RESULTS/dovecot.json" \
      | tee "$RESULTS/ratios.txt"
else
  tail -n 1 "$RESULTS/mailroom.json"
fi
log "results in $RESULTS"
