#!/usr/bin/env bash
# bench/lib.sh: wait_port gives up at once, with the daemon's last words,
# when the daemon it waits for has exited; and still waits for one that
# comes up. No timing: with the retry budget huge, only the exit check can
# end the first wait.
set -u
log() { echo "test: $*" >&2; }
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

tmp=${TEST_TMPDIR:-$(mktemp -d)}
fail() { echo "FAIL: $*" >&2; exit 1; }

# A port nothing listens on: bind one, note it, close it.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# A "daemon" that refuses to start.
bash -c 'echo "cannot open the store: bad data_dir" >&2; exit 3' \
    >"$tmp/daemon.log" 2>&1 &
pid=$!
out=$(WAIT_PORT_TRIES=100000000 wait_port "$port" "$pid" "$tmp/daemon.log" 2>&1)
rc=$?
[[ $rc -ne 0 ]] || fail "wait_port succeeded for a daemon that exited"
[[ $out == *"exited before listening on $port"* ]] || fail "no exit note: $out"
[[ $out == *"cannot open the store: bad data_dir"* ]] || fail "no log tail: $out"

# A daemon that does come up: wait_port returns 0.
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(60)
' "$port" >"$tmp/listener.log" 2>&1 &
listener=$!
WAIT_PORT_TRIES=100000000 wait_port "$port" "$listener" "$tmp/listener.log" ||
  fail "wait_port failed for a live listener"
kill "$listener"
echo PASS
