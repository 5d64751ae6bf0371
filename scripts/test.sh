#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: installs what is
# missing, fetches the test corpus, starts a private Ceph cluster for the RADOS
# tests, builds everything, runs every test, then runs the store's concurrency
# tests again under ThreadSanitizer, and stops the cluster.
# Ends with a line "N passed, N failed" counted from the test results.
#
# The RADOS tests (tag "rados") get MAILROOM_RADOS_CONF, MAILROOM_RADOS_POOL and
# MAILROOM_RADOS_USER. With MAILROOM_RADOS_CONF already set, they use that
# cluster (pool and user default to mailroom, as scripts/ceph_dev_cluster.sh
# makes them) and none is started.
set -uo pipefail
cd "$(dirname "$0")/.."
MAILROOM_TEST_PEERS=1 scripts/install_deps.sh || exit 1

export MAILROOM_CORPUS_DIR="${MAILROOM_CORPUS_DIR:-$HOME/.cache/mailroom/corpus}"
scripts/fetch_corpus.sh >/dev/null || { echo "could not fetch the test corpus" >&2; exit 1; }

BAZEL=(bazel)
[[ -n "${MAILROOM_BAZEL_OUTPUT_BASE:-}" ]] && BAZEL+=(--output_base="$MAILROOM_BAZEL_OUTPUT_BASE")

results=$(mktemp -d)
testlogs=$("${BAZEL[@]}" info bazel-testlogs 2>/dev/null)
status=0

# A failed step that is not a Bazel test, as one failed test case in the count.
record_failure() { # NAME MESSAGE (plain text, no XML markup)
  mkdir -p "$results/$1"
  cat >"$results/$1/test.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<testsuites><testsuite name="$1" tests="1" failures="1"><testcase name="$1">
<failure message="$2"/></testcase></testsuite></testsuites>
EOF
}

# The Ceph dev cluster lives in a fresh directory and is stopped at exit, also
# when tests fail or the run is interrupted; its directory is removed unless
# the cluster failed to start (its logs explain why).
ceph_dir=""
keep_ceph_dir=0
stop_ceph() {
  [[ -n $ceph_dir ]] || return 0
  # Stop it completely: not cut short by a second Ctrl-C, nor by a reader of
  # our output (| tee) that the first one ended.
  trap '' INT TERM HUP PIPE
  if scripts/ceph_dev_cluster.sh stop "$ceph_dir"; then
    if ((keep_ceph_dir)) && [[ -n $(ls -A "$ceph_dir") ]]; then
      echo "kept $ceph_dir (logs of the failed start)" >&2
    else
      rm -rf "$ceph_dir"
    fi
  else
    echo "could not stop the Ceph dev cluster in $ceph_dir" >&2
  fi
}
trap stop_ceph EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
if [[ -z ${MAILROOM_RADOS_CONF:-} ]]; then
  ceph_dir=$(mktemp -d "${TMPDIR:-/tmp}/mailroom-ceph.XXXXXX")
  if ! MAILROOM_RADOS_CONF=$(scripts/ceph_dev_cluster.sh start "$ceph_dir"); then
    echo "FAILED: the Ceph dev cluster did not start (why: above); the RADOS tests will fail" >&2
    MAILROOM_RADOS_CONF=""
    keep_ceph_dir=1
    status=1
    record_failure ceph_dev_cluster "scripts/ceph_dev_cluster.sh start failed"
  fi
elif [[ $MAILROOM_RADOS_CONF != /* ]]; then
  MAILROOM_RADOS_CONF=$PWD/$MAILROOM_RADOS_CONF  # tests run in another directory
fi
RADOS_ENV=(
  --test_env=MAILROOM_RADOS_CONF="$MAILROOM_RADOS_CONF"
  --test_env=MAILROOM_RADOS_POOL="${MAILROOM_RADOS_POOL:-mailroom}"
  --test_env=MAILROOM_RADOS_USER="${MAILROOM_RADOS_USER:-mailroom}"
)

# Bazel prints the sandbox's debug lines on some hosts; they are noise here.
"${BAZEL[@]}" test //... --test_env=MAILROOM_CORPUS_DIR="$MAILROOM_CORPUS_DIR" "${RADOS_ENV[@]}" "$@" 2>&1 \
  | grep -v 'linux-sandbox' | tee "$results/main.log"
main_status=${PIPESTATUS[0]}
((main_status == 0)) || status=$main_status
cp -rL "$testlogs" "$results/main" 2>/dev/null

if [[ "${MAILROOM_SKIP_TSAN:-0}" != 1 ]]; then
  touch "$results/tsan.start"
  "${BAZEL[@]}" test --config=tsan --test_tag_filters=tsan --build_tests_only "${RADOS_ENV[@]}" \
    //store/... //tests/store/... 2>&1 \
    | grep -v 'linux-sandbox' | tee "$results/tsan.log"
  tsan_status=${PIPESTATUS[0]}
  # Exit code 4: no test carries the tag; not a failure.
  [[ $tsan_status == 0 || $tsan_status == 4 ]] || status=$tsan_status
  # Only the results this run wrote (the directory also holds older ones).
  (cd -P "$testlogs" && find . -name test.xml -newer "$results/tsan.start" \
    -exec install -D {} "$results/tsan/{}" \;)
fi

python3 scripts/count_results.py "$results"
exit "$status"
