#!/usr/bin/env bash
# The first text search right after delivery (the load tool's "search
# warm-up"): a fresh mailroomd gets the corpus over LMTP (`mailbench.py
# deliver`), then, at once, the index backlog is read and one IMAP
# `UID SEARCH BODY` of a word no message holds is sent, as the load tool's
# search phase does first. Prints the backlog, the search's wall time and
# the daemon's CPU time during it (every thread: the search catches the
# index up itself), then the same for a second search after the daemon went
# idle, the fixed cost of a search.
#
#   MAILBENCH=/path/to/mailbench.py bench/search/first_search.sh
#
# Environment: MAILBENCH (required), CORPUS (default
# ~/.cache/mailroom/bench-corpus/eml), PORTBASE (default 20000; IMAP on
# PORTBASE+143, LMTP on PORTBASE+24), MAILROOMD / MAILROOMCTL (default:
# built with Bazel), MAILROOMD_FLAGS (more daemon flags). Loopback only.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd -P)
MAILBENCH=${MAILBENCH:?set MAILBENCH to the path of mailbench.py}
CORPUS=${CORPUS:-$HOME/.cache/mailroom/bench-corpus/eml}
PORTBASE=${PORTBASE:-20000}
log() { echo "first_search.sh: $*" >&2; }
source "$ROOT/bench/lib.sh"

build_daemon "$ROOT"

DIR=$(mktemp -d /tmp/first-search.XXXXXX)
PID=""
cleanup() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID"; wait "$PID" 2>/dev/null || true
  fi
  rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

"$MAILROOMD" --data_dir="$DIR/data" --listen=127.0.0.1 \
    --imap_port=$((PORTBASE + 143)) --imaps_port=0 \
    --pop3_port=0 --pop3s_port=0 --lmtp_port=$((PORTBASE + 24)) \
    --allow_plaintext_auth --max_connections_per_ip=0 \
    --hostname=first-search.test ${MAILROOMD_FLAGS:-} > "$DIR/mailroomd.log" 2>&1 &
PID=$!
wait_port $((PORTBASE + 143))
"$MAILROOMCTL" --data_dir="$DIR/data" user add user1 --password=pass >&2
python3 "$MAILBENCH" deliver --host 127.0.0.1 --lmtp-port $((PORTBASE + 24)) \
    --imap-port $((PORTBASE + 143)) --user user1 --password pass \
    --corpus "$CORPUS" > "$DIR/deliver.json" 2> "$DIR/deliver.log"
backlog=$("$MAILROOMCTL" --data_dir="$DIR/data" index status user1 --format=plain 2>&1 | tr '\n' ' ')
python3 - "$PORTBASE" "$PID" "$backlog" <<'PY'
import imaplib, os, sys, time
port, pid, backlog = int(sys.argv[1]) + 143, sys.argv[2], sys.argv[3]

def cpu_ms():
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")

imap = imaplib.IMAP4("127.0.0.1", port)
imap.login("user1", "pass")
imap.select("INBOX")
def search(label):
    c0, t0 = cpu_ms(), time.perf_counter()
    imap.uid("SEARCH", 'BODY "mailbenchwarmupnonexistentword"')
    print(f"{label:34s} wall {1000 * (time.perf_counter() - t0):8.1f} ms"
          f"   daemon CPU {cpu_ms() - c0:8.1f} ms")
print(f"index backlog after delivery: {backlog}")
search("first search after delivery")
# Idle: no daemon CPU gained over 2 seconds (the index queue has drained).
previous = -1
while (now := cpu_ms()) != previous:
    previous = now
    time.sleep(2)
search("a search once idle")
c0 = cpu_ms()
for _ in range(200):
    imap.uid("SEARCH", 'BODY "mailbenchwarmupnonexistentword"')
print(f"{'200 more such searches':34s} daemon CPU {(cpu_ms() - c0) / 200:8.2f} ms each")
PY
