#!/usr/bin/env bash
# Migration speed: copies the same mailbox from a private Dovecot into a
# running mailroomd with `mailroomctl migrate imap`, then with imapsync (when
# it is available) into another account of the same mailroomd, and prints
# messages/s and MB/s side by side.
#
#   bench/migrate/run.sh [MESSAGES]          (default 5000)
#
# Environment:
#   CORPUS     directory tree of .eml files (default: scripts/fetch_corpus.sh's,
#              ~/.cache/mailroom/corpus; generated messages when missing)
#   IMAPSYNC   path of the imapsync script (default: `imapsync` on PATH);
#              skipped with a note when it is missing or does not start
#   SKIP_BUILD=1  use the binaries already in bazel-bin
# Needs Debian's dovecot-imapd. Loopback only; everything under /tmp/mr-bench-*.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd -P)
MESSAGES=${1:-5000}
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  (cd "$ROOT" && bazel build //tools:mailroomd //tools:mailroomctl \
    //protocols/imap:libmailroom_imap.so //protocols/pop3:libmailroom_pop3.so \
    //protocols/lmtp:libmailroom_lmtp.so >&2)
fi
CORPUS=${CORPUS:-$HOME/.cache/mailroom/corpus}
IMAPSYNC=${IMAPSYNC:-$(command -v imapsync || true)}
cd "$ROOT"
exec env PYTHONPATH="$ROOT" MAILROOM_BIN_DIR="$ROOT/bazel-bin" \
  python3 "$ROOT/bench/migrate/bench.py" --messages "$MESSAGES" \
  --corpus "$CORPUS" --imapsync "$IMAPSYNC"
