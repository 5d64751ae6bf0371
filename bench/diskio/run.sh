#!/usr/bin/env bash
# Import and export throughput (messages/s and MB/s, medians): import
# maildir, export maildir, export mbox, import mbox, through a running
# mailroomd, on RocksDB and (when a cluster is given) on RADOS.
#
#   bench/diskio/run.sh [RESULTS_DIR]
#
# Environment:
#   MESSAGES             messages per run (default 20000; corpus cycled)
#   RADOS_MESSAGES       messages per run on RADOS (default 5000)
#   RUNS                 runs per step (default 3)
#   CORPUS               default $HOME/.cache/mailroom/corpus
#   MAILROOM_RADOS_CONF  a cluster's ceph.conf: also measure RADOS
#   MAILROOM_RADOS_USER  client id (default mailroom)
#   MAILROOMD, MAILROOMCTL  binaries (default: built here with bazel)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd -P)
HERE="$ROOT/bench/diskio"
RESULTS=${1:-$(mktemp -d /tmp/diskio-bench.XXXXXX)}
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd -P)
CORPUS=${CORPUS:-$HOME/.cache/mailroom/corpus}
log() { echo "run.sh: $*" >&2; }
source "$ROOT/bench/lib.sh"

if [[ -z "${MAILROOMD:-}" || -z "${MAILROOMCTL:-}" ]]; then
  (cd "$ROOT" && bazel build //tools:mailroomd //tools:mailroomctl >&2)
  BIN=$(cd "$ROOT" && bazel info bazel-bin 2>/dev/null)
  MAILROOMD=${MAILROOMD:-$BIN/tools/mailroomd}
  MAILROOMCTL=${MAILROOMCTL:-$BIN/tools/mailroomctl}
fi

pid=""
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

run_engine() {  # ENGINE MESSAGES STORE_FLAGS...
  local engine=$1 messages=$2
  shift 2
  local dir="$RESULTS/$engine"
  rm -rf "$dir" && mkdir -p "$dir/work"
  # No protocol plugins: only the admin socket is used.
  "$MAILROOMD" --data_dir="$dir/data" --listen=127.0.0.1 --plugin_dir="" \
      --imap_port=0 --imaps_port=0 --pop3_port=0 --pop3s_port=0 \
      --lmtp_port=0 --lmtp_socket= "$@" >"$dir/log" 2>&1 &
  pid=$!
  until [[ -S "$dir/data/admin.sock" ]]; do
    kill -0 "$pid" 2>/dev/null || { cat "$dir/log" >&2; exit 1; }
    sleep 0.1
  done
  log "$engine: $messages messages, ${RUNS:-3} runs"
  python3 "$HERE/diskio_bench.py" --mailroomctl "$MAILROOMCTL" \
      --data_dir "$dir/data" --work "$dir/work" --corpus "$CORPUS" \
      --messages "$messages" --runs "${RUNS:-3}" --engine "$engine" \
      --store_flags="$*" | tee -a "$RESULTS/results.jsonl"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  rm -rf "$dir/work"
}

: >"$RESULTS/results.jsonl"
run_engine rocksdb "${MESSAGES:-20000}"
if [[ -n "${MAILROOM_RADOS_CONF:-}" ]]; then
  run_engine rados "${RADOS_MESSAGES:-5000}" --store=rados \
      --rados_conf="$MAILROOM_RADOS_CONF" \
      --rados_user="${MAILROOM_RADOS_USER:-mailroom}" \
      --rados_namespace="diskio-bench-$$-$RANDOM"
fi
python3 - "$RESULTS/results.jsonl" <<'PY' | tee "$RESULTS/report.md"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("| engine | step | messages | MB | median s | messages/s | MB/s |")
print("|---|---|---:|---:|---:|---:|---:|")
for r in rows:
    print("| %(engine)s | %(step)s | %(messages)d | %(mb).1f | %(median_s).2f "
          "| %(messages_per_s)d | %(mb_per_s).1f |" % r)
PY
