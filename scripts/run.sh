#!/usr/bin/env bash
# Runs Mailroom in the foreground for a try-out: installs what is missing,
# builds the daemon, the admin CLI and the protocol plugins, creates the data
# dir (./data or $MAILROOM_DATA_DIR) with a development certificate and a demo
# account (demo / demo-password), and serves on loopback high ports:
#   IMAP 1143 (STARTTLS), IMAPS 1993, POP3 1110 (STLS), POP3S 1995, LMTP 1024
# Plaintext passwords are allowed here because it only listens on 127.0.0.1.
# Extra arguments go to mailroomd (e.g. --listen=0.0.0.0, which you should
# only combine with --allow_plaintext_auth=false). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

scripts/install_deps.sh

# MAILROOM_BAZEL_STARTUP may hold Bazel startup options (--output_base=...).
BAZEL=(bazel ${MAILROOM_BAZEL_STARTUP:-})
PLUGINS=(//protocols/imap:libmailroom_imap.so //protocols/pop3:libmailroom_pop3.so
         //protocols/lmtp:libmailroom_lmtp.so)
"${BAZEL[@]}" build //tools:mailroomd //tools:mailroomctl "${PLUGINS[@]}"
BIN="$("${BAZEL[@]}" info bazel-bin 2>/dev/null)"

DATA_DIR="${MAILROOM_DATA_DIR:-$ROOT/data}"
# The data dir holds mail and keys: private to this user, like what the
# daemon itself creates.
umask 077
mkdir -p "$DATA_DIR/tls"
DATA_DIR="$(cd "$DATA_DIR" && pwd)"
CTL=("$BIN/tools/mailroomctl" "--data_dir=$DATA_DIR")
CERT="$DATA_DIR/tls/cert.pem"
KEY="$DATA_DIR/tls/key.pem"
if [[ ! -s "$CERT" || ! -s "$KEY" ]]; then
  "${CTL[@]}" cert generate --out_cert="$CERT" --out_key="$KEY" --cn=localhost
fi
if ! "${CTL[@]}" user list | grep -qx demo; then
  "${CTL[@]}" user add demo --password=demo-password
fi

cat <<INFO

Mailroom is starting (data in $DATA_DIR). Demo account: demo / demo-password
  IMAPS:  curl --cacert $CERT 'imaps://localhost:1993/INBOX' -u demo:demo-password
  IMAP:   curl 'imap://127.0.0.1:1143/' -u demo:demo-password --ssl-reqd --cacert $CERT
  POP3S:  curl --cacert $CERT 'pop3s://localhost:1995/' -u demo:demo-password
  TLS:    openssl s_client -connect 127.0.0.1:1993 -CAfile $CERT -quiet
  LMTP:   python3 -c "import smtplib; s = smtplib.LMTP('127.0.0.1', 1024); s.sendmail('a@localhost', ['demo@localhost'], 'Subject: hi\\r\\n\\r\\nhello\\r\\n'); s.quit()"
  Admin:  $BIN/tools/mailroomctl --data_dir=$DATA_DIR user list
Ctrl-C stops the server.

INFO

exec "$BIN/tools/mailroomd" \
  --data_dir="$DATA_DIR" \
  --listen=127.0.0.1 \
  --hostname=localhost \
  --imap_port=1143 --imaps_port=1993 \
  --pop3_port=1110 --pop3s_port=1995 \
  --lmtp_port=1024 --lmtp_socket="$DATA_DIR/lmtp.sock" \
  --plugin_dir="$BIN/protocols/imap,$BIN/protocols/pop3,$BIN/protocols/lmtp" \
  --tls_cert="$CERT" --tls_key="$KEY" \
  --allow_plaintext_auth=true \
  "$@"
