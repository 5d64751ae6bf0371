# Shell functions the benchmark drivers share; source it after defining
# log(). Loopback only.

# True when something accepts connections on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Waits until 127.0.0.1:PORT accepts connections, polling every 0.1 s up to
# WAIT_PORT_TRIES times (default 300, i.e. 30 s).
wait_port() {
  local port=$1 n=0
  until port_busy "$port"; do
    n=$((n + 1))
    if ((n > ${WAIT_PORT_TRIES:-300})); then
      log "nothing listens on $port"
      return 1
    fi
    sleep 0.1
  done
}
