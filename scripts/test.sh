#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: installs what is
# missing, fetches the test corpus, builds everything, runs every test, then
# runs the store's concurrency tests again under ThreadSanitizer.
# Ends with a line "N passed, N failed" counted from the test results.
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
# Bazel prints the sandbox's debug lines on some hosts; they are noise here.
"${BAZEL[@]}" test //... --test_env=MAILROOM_CORPUS_DIR="$MAILROOM_CORPUS_DIR" "$@" 2>&1 \
  | grep -v 'linux-sandbox' | tee "$results/main.log"
status=${PIPESTATUS[0]}
cp -rL "$testlogs" "$results/main" 2>/dev/null

if [[ "${MAILROOM_SKIP_TSAN:-0}" != 1 ]]; then
  touch "$results/tsan.start"
  "${BAZEL[@]}" test --config=tsan --test_tag_filters=tsan --build_tests_only //store/... //tests/store/... 2>&1 \
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
