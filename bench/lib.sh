# Shell functions the benchmark drivers share; source it after defining
# log(). Loopback only.

# True when something accepts connections on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Waits until 127.0.0.1:PORT accepts connections, polling every 0.1 s up to
# WAIT_PORT_TRIES times (default 300, i.e. 30 s). With PID (the daemon that
# should listen) it fails at once when that process has gone, printing the
# last lines of LOG (its output) when given: a daemon that refused its
# flags or data says why instead of leaving the driver to wait.
wait_port() {
  local port=$1 pid=${2:-} logfile=${3:-} n=0
  until port_busy "$port"; do
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
      log "process $pid exited before listening on $port"
      if [[ -n $logfile && -f $logfile ]]; then
        log "last lines of $logfile:"
        tail -n "${WAIT_PORT_LOG_LINES:-20}" "$logfile" >&2
      fi
      return 1
    fi
    n=$((n + 1))
    if ((n > ${WAIT_PORT_TRIES:-300})); then
      log "nothing listens on $port"
      return 1
    fi
    sleep 0.1
  done
}

# Sets MAILROOMD and MAILROOMCTL, unless both are set already, to the
# daemon and admin tool built with Bazel in ROOT, with the plugins the
# daemon loads.
build_daemon() {
  local root=$1 bin
  [[ -n "${MAILROOMD:-}" && -n "${MAILROOMCTL:-}" ]] && return 0
  (cd "$root" && bazel build //tools:mailroomd //tools:mailroomctl \
      //protocols/imap:libmailroom_imap.so //protocols/pop3:libmailroom_pop3.so \
      //protocols/lmtp:libmailroom_lmtp.so \
      //protocols/managesieve:libmailroom_managesieve.so >&2) || return 1
  bin=$(cd "$root" && bazel info bazel-bin 2>/dev/null)
  MAILROOMD=${MAILROOMD:-$bin/tools/mailroomd}
  MAILROOMCTL=${MAILROOMCTL:-$bin/tools/mailroomctl}
}
