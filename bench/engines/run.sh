#!/usr/bin/env bash
# Compares the storage engines with the same load (engine_bench.py):
# RocksDB on one node, RADOS on one node, and RADOS on two nodes of one
# store, and prints one table.
#
#   bench/engines/run.sh [RESULTS_DIR]
#
# Environment:
#   MAILROOM_RADOS_CONF   a cluster's ceph.conf; without it a private dev
#                         cluster is started (scripts/ceph_dev_cluster.sh)
#                         and stopped at the end
#   MAILROOM_RADOS_USER   client id (default mailroom, as the dev cluster)
#   PORTBASE              nodes listen on PORTBASE+10*n+{143,24} (21000)
#   BENCH_ARGS            extra arguments for engine_bench.py
#   MAILROOMD, MAILROOMCTL, BAZEL_OUTPUT_BASE  as in bench/mailbench/run.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd -P)
HERE="$ROOT/bench/engines"
RESULTS=${1:-$(mktemp -d /tmp/engine-bench.XXXXXX)}
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd -P)
PORTBASE=${PORTBASE:-21000}
log() { echo "run.sh: $*" >&2; }
source "$ROOT/bench/lib.sh"

if [[ -z "${MAILROOMD:-}" || -z "${MAILROOMCTL:-}" ]]; then
  BAZEL=(bazel)
  [[ -n "${BAZEL_OUTPUT_BASE:-}" ]] && BAZEL+=(--output_base="$BAZEL_OUTPUT_BASE")
  (cd "$ROOT" && "${BAZEL[@]}" build //tools:mailroomd //tools:mailroomctl \
      //protocols/imap:libmailroom_imap.so //protocols/lmtp:libmailroom_lmtp.so >&2)
  BIN=$(cd "$ROOT" && "${BAZEL[@]}" info bazel-bin 2>/dev/null)
  MAILROOMD=${MAILROOMD:-$BIN/tools/mailroomd}
  MAILROOMCTL=${MAILROOMCTL:-$BIN/tools/mailroomctl}
  PLUGINS="$BIN/protocols/imap,$BIN/protocols/lmtp"
fi

ceph_dir=""
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n $ceph_dir ]]; then
    "$ROOT/scripts/ceph_dev_cluster.sh" stop "$ceph_dir" >&2 || true
  fi
}
trap cleanup EXIT
if [[ -z "${MAILROOM_RADOS_CONF:-}" ]]; then
  ceph_dir="$RESULTS/ceph"
  log "starting a dev cluster in $ceph_dir"
  MAILROOM_RADOS_CONF=$("$ROOT/scripts/ceph_dev_cluster.sh" start "$ceph_dir")
fi
RADOS_USER=${MAILROOM_RADOS_USER:-mailroom}

node_flags() {  # ENGINE NAMESPACE
  if [[ $1 == rados ]]; then
    echo "--store=rados --rados_conf=$MAILROOM_RADOS_CONF --rados_user=$RADOS_USER --rados_namespace=$2"
  fi
}

start_node() {  # N ENGINE NAMESPACE; appends IMAP:LMTP to $nodes
  local n=$1 dir="$RESULTS/node-$1-$2-$3"
  local imap=$((PORTBASE + 10 * n + 143)) lmtp=$((PORTBASE + 10 * n + 24))
  mkdir -p "$dir"
  # shellcheck disable=SC2046
  "$MAILROOMD" --data_dir="$dir" --listen=127.0.0.1 --plugin_dir="${PLUGINS:-}" \
      --imap_port=$imap --imaps_port=0 --pop3_port=0 --pop3s_port=0 \
      --lmtp_port=$lmtp --allow_plaintext_auth=true \
      $(node_flags "$2" "$3") >"$dir/log" 2>&1 &
  pids+=($!)
  wait_port "$imap" "${pids[-1]}" "$dir/log" &&
    wait_port "$lmtp" "${pids[-1]}" "$dir/log"
  nodes+="${nodes:+,}$imap:$lmtp"
}

run_config() {  # LABEL ENGINE NODES
  local label=$1 engine=$2 count=$3 ns="bench-$$-$RANDOM" first_dir
  nodes=""
  for ((n = 0; n < count; n++)); do
    start_node "$n" "$engine" "$ns"
  done
  first_dir="$RESULTS/node-0-$engine-$ns"
  # shellcheck disable=SC2046
  "$MAILROOMCTL" --data_dir="$first_dir" $(node_flags "$engine" "$ns") \
      user add bench --password=bench-pass >&2
  log "$label: nodes $nodes"
  # shellcheck disable=SC2086
  python3 "$HERE/engine_bench.py" --nodes "$nodes" --user bench \
      --password bench-pass --label "$label" ${BENCH_ARGS:-} \
      | tee -a "$RESULTS/results.jsonl"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}

: >"$RESULTS/results.jsonl"
run_config rocksdb rocksdb 1
run_config rados-1-node rados 1
run_config rados-2-nodes rados 2
python3 "$HERE/report.py" "$RESULTS/results.jsonl" | tee "$RESULTS/report.md"
