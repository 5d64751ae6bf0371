#!/usr/bin/env bash
# Installs what is missing, then builds and runs the whole test suite.
# Ends with a line "N passed, N failed" counted from the test results.
set -uo pipefail
cd "$(dirname "$0")/.."
MAILROOM_TEST_PEERS=1 scripts/install_deps.sh || exit 1

bazel test //... "$@" 2>&1 | grep -v 'linux-sandbox' | tee /tmp/mailroom-test.log
status=${PIPESTATUS[0]}
python3 scripts/count_results.py bazel-testlogs
# Bazel exits 4 when there are no tests; anything else non-zero is a failure.
exit "$status"
