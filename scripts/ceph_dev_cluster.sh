#!/usr/bin/env bash
# A private Ceph 16 (pacific) development cluster on loopback, everything under
# one directory, for the tests that talk to RADOS.
#
#   scripts/ceph_dev_cluster.sh start DIR        create the cluster in DIR (or restart the
#                                                one already there), wait until every PG is
#                                                active+clean, print DIR/ceph.conf on stdout
#   scripts/ceph_dev_cluster.sh stop DIR         stop the OSDs, then the manager, then the monitor
#   scripts/ceph_dev_cluster.sh kill-osd DIR N   SIGKILL osd.N (N in 0..2)
#   scripts/ceph_dev_cluster.sh start-osd DIR N  restart osd.N on its data, wait until clean
#   scripts/ceph_dev_cluster.sh status DIR       ceph -s
#
# The cluster: one monitor (mon.a), one manager (mgr.x) and three OSDs (osd.0-2),
# all on 127.0.0.1 (no IPv6), and the pool "mailroom" (replicated, size 3,
# min_size 2, 32 PGs, application "mailroom"). The OSDs are BlueStore on sparse
# 10 GiB files (DIR/osd/N/block), so an OSD's data survives kill -9 and the
# whole cluster survives stop/start; only what is written takes disk space.
#
# Clients use DIR/ceph.conf as the user client.mailroom (caps: mon 'allow r',
# osd 'allow rwx pool=mailroom'; "x" allows the object classes such as lock and
# refcount). Its keyring, DIR/client.mailroom.keyring, is found through the conf:
#   rados --conf DIR/ceph.conf --id mailroom -p mailroom ls
#   librados: rados_create2(&c, "ceph", "client.mailroom", 0); rados_conf_read_file(c, conf)
# client.admin (DIR/client.admin.keyring) is for administration; the `ceph` CLI
# uses it by default: ceph --conf DIR/ceph.conf -s
#
# Layout of DIR:
#   ceph.conf                 the one configuration file (daemons and clients)
#   client.*.keyring          client keys
#   mon/a, mgr/x, osd/N       daemon data (each with its keyring)
#   run/                      pid files and the daemons' admin sockets
#   log/                      daemon logs, log/cluster.log (the monitor's cluster log),
#                             log/*.stdio (what a daemon printed before it detached)
#   crash/                    crash reports (Ceph's default is /var/lib/ceph/crash)
#
# Environment:
#   MAILROOM_CEPH_BASE_PORT   monitor port, msgr v2 (default 40789); msgr v1 listens on
#                             base+1 and the manager and OSDs bind ports in
#                             [base+10, base+209]. Only read when the cluster is created.
#
# Daemons run as the calling user (root on CI), daemonized (they survive this
# script), and are found again by their command line, which names DIR/ceph.conf.
#
# Measured on a 2-core Debian 12 VM (Ceph 16.2.15, with other work running):
# `start` of a new cluster 21-28 s until all PGs are active+clean (about 12 s
# of it creating and booting the OSDs), `start` of a stopped one ~15 s, `stop`
# 1-6 s, `start-osd` after `kill-osd` ~16 s until clean again (only the objects
# written meanwhile are recovered). Memory (RSS) at rest: monitor ~45 MiB,
# manager ~300 MiB, each OSD ~50 MiB; osd_memory_target lets an OSD's caches
# grow to about 1 GiB under load.
set -euo pipefail

readonly POOL=mailroom
readonly PG_NUM=32
readonly OSD_IDS=(0 1 2)
readonly STOP_TIMEOUT=30       # seconds a daemon gets to exit on SIGTERM before SIGKILL
readonly CLEAN_TIMEOUT=240     # seconds to wait for all PGs active+clean
# The object classes OSDs load and let clients call (Ceph 16's default list).
readonly CLASSES="cephfs hello journal lock log numops otp rbd refcount rgw rgw_gc timeindex user version cas cmpomap queue 2pc_queue fifo"

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

die() {
  echo "ceph_dev_cluster: $*" >&2
  exit 1
}

# Progress on stderr, with the seconds since the script started; stdout carries
# only the conf path (start), so `conf=$(... start DIR)` works.
# (EPOCHREALTIME is microseconds with the locale's decimal mark.)
T0=${EPOCHREALTIME//[!0-9]/}
log() {
  local ms=$(((${EPOCHREALTIME//[!0-9]/} - T0) / 1000))
  printf '[ceph-dev %3d.%ds] %s\n' $((ms / 1000)) $((ms % 1000 / 100)) "$*" >&2 || true
}

# The daemons and tools; all from Debian's ceph-mon ceph-mgr ceph-osd ceph-common.
find_binaries() {
  local tool missing=()
  for tool in ceph-mon ceph-mgr ceph-osd ceph rados ceph-authtool monmaptool python3; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  ((${#missing[@]} == 0)) || die "missing ${missing[*]}: install ceph-mon ceph-mgr ceph-osd ceph-common" \
    "(MAILROOM_TEST_PEERS=1 scripts/install_deps.sh does)"
  # Full paths: a daemon is recognised by its command line "BIN --conf CONF --id ID".
  CEPH_MON=$(command -v ceph-mon)
  CEPH_MGR=$(command -v ceph-mgr)
  CEPH_OSD=$(command -v ceph-osd)
}

# DIR is made absolute and must not contain blanks (ceph.conf holds it verbatim).
set_paths() {
  [[ $1 != *[[:space:]]* ]] || die "DIR must not contain blanks: '$1'"
  DIR=$(cd "$1" && pwd -P) || die "no such directory: $1"
  CONF=$DIR/ceph.conf
  RUN=$DIR/run
  LOGS=$DIR/log
}

# --- finding the daemons ----------------------------------------------------

# Pids of the processes whose command line starts with PREFIX (a daemon binary,
# " --conf CONF" and maybe " --id ID"). /proc/PID/cmdline is NUL-separated.
pids_matching() {
  local prefix="$1 " p args
  for p in /proc/[0-9]*; do
    { mapfile -d '' args <"$p/cmdline"; } 2>/dev/null || continue
    [[ "${args[*]} " == "$prefix"* ]] && echo "${p#/proc/}"
  done
  return 0
}

bin_of() {
  case $1 in
    mon) echo "$CEPH_MON" ;;
    mgr) echo "$CEPH_MGR" ;;
    osd) echo "$CEPH_OSD" ;;
  esac
}

# daemon_pids TYPE [ID]: running daemons of this cluster.
daemon_pids() {
  local prefix
  prefix="$(bin_of "$1") --conf $CONF"
  [[ -z ${2:-} ]] || prefix+=" --id $2"
  pids_matching "$prefix"
}

any_daemon_running() {
  [[ -n "$(daemon_pids mon)$(daemon_pids mgr)$(daemon_pids osd)" ]]
}

# start_daemon TYPE ID: runs the daemon, which forks, detaches and returns once
# it has initialised (an OSD once its store is mounted). What it prints before
# detaching goes to log/TYPE.ID.stdio; nothing keeps this script's stdout open.
start_daemon() {
  local type=$1 id=$2
  if ! "$(bin_of "$type")" --conf "$CONF" --id "$id" \
      </dev/null >>"$LOGS/$type.$id.stdio" 2>&1; then
    log "$type.$id failed to start:"
    tail -n 20 "$LOGS/$type.$id.stdio" "$LOGS/$type.$id.log" >&2 2>/dev/null || true
    return 1
  fi
}

# All OSDs at once: each takes seconds to mount its store before it detaches.
start_osds() {
  local n pids=() rc=0
  for n in "${OSD_IDS[@]}"; do
    start_daemon osd "$n" &
    pids+=($!)
  done
  for n in "${!pids[@]}"; do wait "${pids[$n]}" || rc=1; done
  return $rc
}

# stop_daemons TYPE [ID]: SIGTERM, wait up to STOP_TIMEOUT s, then SIGKILL.
stop_daemons() {
  local type=$1 id=${2:-} name=$1${2:+.$2} pids left deadline
  mapfile -t pids < <(daemon_pids "$type" "$id")
  ((${#pids[@]})) || return 0
  log "stopping $name (pid ${pids[*]})"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  while [[ -n $(daemon_pids "$type" "$id") ]] && ((SECONDS < deadline)); do sleep 0.2; done
  mapfile -t left < <(daemon_pids "$type" "$id")
  if ((${#left[@]})); then
    log "$name still running after ${STOP_TIMEOUT}s: SIGKILL ${left[*]}"
    kill -KILL "${left[@]}" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while [[ -n $(daemon_pids "$type" "$id") ]] && ((SECONDS < deadline)); do sleep 0.2; done
  fi
  [[ -z $(daemon_pids "$type" "$id") ]] || { log "could not stop $name"; return 1; }
  wait_reaped "${pids[@]}"
}

# Daemons are children of init once detached; give it a moment to reap them so
# that they are gone from the process table too (no <defunct> left in ps).
wait_reaped() {
  local pid deadline=$((SECONDS + 5))
  for pid; do
    while [[ -e /proc/$pid ]] && ((SECONDS < deadline)); do sleep 0.1; done
  done
  return 0
}

# OSDs first, then the manager, then the monitor: with the monitor gone first
# the OSDs hang for seconds trying to report their shutdown.
stop_all() {
  local rc=0
  stop_daemons osd || rc=1
  stop_daemons mgr || rc=1
  stop_daemons mon || rc=1
  rm -f "$RUN"/*.pid
  return $rc
}

# --- talking to the cluster ---------------------------------------------------

# The ceph CLI as client.admin; never waits forever on a monitor that is gone.
ceph_cli() {
  timeout 60 ceph --conf "$CONF" --connect-timeout 15 "$@"
}

# ceph_quiet ARGS...: the ceph CLI, quiet unless it fails (it reports success
# on stderr, e.g. "pool 'mailroom' created").
ceph_quiet() {
  local out
  out=$(ceph_cli "$@" 2>&1) || { log "ceph $* failed: $out"; return 1; }
}

# wait_for SECONDS WHAT COMMAND...: polls COMMAND until it succeeds.
wait_for() {
  local limit=$1 what=$2 deadline=$((SECONDS + $1))
  shift 2
  until "$@"; do
    if ((SECONDS >= deadline)); then
      log "timed out after ${limit}s waiting for $what"
      return 1
    fi
    sleep 0.5
  done
}

mon_answers() {
  ceph_cli mon stat >/dev/null 2>&1
}

# All OSDs of the map are up and in.
osds_up() {
  ceph_cli osd stat -f json 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)
sys.exit(0 if s["num_osds"] == s["num_up_osds"] == s["num_in_osds"] == int(sys.argv[1]) else 1)
' "${#OSD_IDS[@]}"
}

# osd_up_from N: the osdmap epoch since which osd.N is up ("down" when it is not).
osd_up_from() {
  ceph_cli osd dump -f json 2>/dev/null | python3 -c '
import json, sys
for o in json.load(sys.stdin)["osds"]:
    if o["osd"] == int(sys.argv[1]):
        print(o["up_from"] if o["up"] else "down")
' "$1"
}

osd_up_since_after() { # N EPOCH: osd.N is up and booted after EPOCH
  local from
  from=$(osd_up_from "$1") || return 1
  [[ $from =~ ^[0-9]+$ ]] && ((from > $2))
}

# Every PG of every pool is reported and active+clean.
pgs_clean() {
  local pools pgs
  pools=$(ceph_cli osd pool ls detail -f json 2>/dev/null) || return 1
  pgs=$(ceph_cli pg stat -f json 2>/dev/null) || return 1
  python3 -c '
import json, sys
pools, stat = json.loads(sys.argv[1]), json.loads(sys.argv[2])
stat = stat.get("pg_summary", stat)
want = sum(p["pg_num"] for p in pools)
clean = sum(s["num"] for s in stat.get("num_pg_by_state", []) if s["name"] == "active+clean")
sys.exit(0 if want > 0 and stat.get("num_pgs") == want and clean == want else 1)
' "$pools" "$pgs"
}

wait_clean() {
  wait_for "$CLEAN_TIMEOUT" "all PGs active+clean" pgs_clean || {
    ceph_cli -s >&2 || true
    return 1
  }
}

# The OSDs must load the object classes (cls_lock, cls_refcount, ...): take and
# inspect a lock (cls_lock) as client.mailroom, which also checks that user's caps.
check_object_classes() {
  local rados=(timeout 60 rados --conf "$CONF" --id mailroom -p "$POOL" -N ceph-dev-cluster-check)
  "${rados[@]}" lock get probe start-check --lock-cookie "$$" --lock-duration 30 \
    && "${rados[@]}" lock info probe start-check | grep -q "$$" \
    && "${rados[@]}" rm probe \
    || { log "object class call (rados lock) failed; see $LOGS/osd.*.log"; return 1; }
}

# --- creating a cluster -------------------------------------------------------

write_conf() {
  local fsid=$1 port=$2
  cat >"$CONF" <<EOF
# Ceph dev cluster made by scripts/ceph_dev_cluster.sh; everything lives in
# $DIR. Clients: --id mailroom (keyring client.mailroom.keyring).
[global]
fsid = $fsid
mon initial members = a
mon host = [v2:127.0.0.1:$port,v1:127.0.0.1:$((port + 1))]
public network = 127.0.0.0/8
ms bind ipv4 = true
ms bind ipv6 = false
ms bind port min = $((port + 10))
ms bind port max = $((port + 209))
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false
run dir = $RUN
crash dir = $DIR/crash
# Three replicas on one host: place them on distinct OSDs, not hosts.
osd crush chooseleaf type = 0
osd pool default size = 3
osd pool default min size = 2
osd pool default pg autoscale mode = off
mon allow pool delete = true
# This disk is shared with everything else; warn only when nearly full.
mon data avail warn = 5
# One host: peers on the same host may report an OSD down.
mon osd reporter subtree level = osd

[client]
keyring = $DIR/\$name.keyring
client mount timeout = 60

[mon]
mon data = $DIR/mon/\$id
keyring = \$mon_data/keyring
log file = $LOGS/\$name.log
pid file = $RUN/\$name.pid
mon cluster log file = $LOGS/cluster.log
mon cluster log to syslog = false

[mgr]
mgr data = $DIR/mgr/\$id
keyring = \$mgr_data/keyring
log file = $LOGS/\$name.log
pid file = $RUN/\$name.pid
# The always-on modules only (no restful, no nfs).
mgr initial modules = iostat

[osd]
osd data = $DIR/osd/\$id
keyring = \$osd_data/keyring
log file = $LOGS/\$name.log
pid file = $RUN/\$name.pid
osd objectstore = bluestore
bluestore block create = true
bluestore block size = 10737418240
bluestore block db create = false
bluestore block wal create = false
bluestore fsck on mkfs = false
# Caches follow this target; 1 GiB is about the smallest that stays sensible.
osd memory target = 1073741824
# Object classes (cls_lock, cls_refcount, cls_version, cls_numops, cls_cmpomap,
# ...): Debian's directory, and Ceph 16's own lists spelled out. Not "*": that
# adds lua, kvs and sdk, and a malformed cls_lua call aborts the OSD (the
# client then resends it to the next primary, which aborts too).
osd class dir = /usr/lib/x86_64-linux-gnu/rados-classes
osd class load list = $CLASSES
osd class default list = $CLASSES
# Recovery at full speed (the defaults sleep between recovery ops on "hdd").
osd recovery sleep = 0
osd recovery sleep hdd = 0
osd recovery sleep ssd = 0
osd recovery sleep hybrid = 0
EOF
}

# Refuses a base port where something already listens (loopback connect test).
check_ports_free() {
  local port=$1 p
  for p in "$port" $((port + 1)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      die "port $p on 127.0.0.1 is in use; set MAILROOM_CEPH_BASE_PORT to another base port"
    fi
  done
}

# create_cluster PORT
create_cluster() {
  local port=$1 fsid n uuid secret id
  fsid=$(cat /proc/sys/kernel/random/uuid)
  mkdir -p "$RUN" "$LOGS" "$DIR/crash" "$DIR/mon/a" "$DIR/mgr/x"
  write_conf "$fsid" "$port"

  # Keys: mon. (in the monitor's store) and client.admin (all caps).
  log "creating the monitor (fsid $fsid, ports $port/$((port + 1)))"
  ceph-authtool --create-keyring "$DIR/mon/bootstrap.keyring" --gen-key -n mon. \
    --cap mon 'allow *' >/dev/null
  ceph-authtool --create-keyring "$DIR/client.admin.keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
  ceph-authtool "$DIR/mon/bootstrap.keyring" --import-keyring "$DIR/client.admin.keyring" >/dev/null
  # --addv with both protocols: a non-default port given with --add is v2 only.
  monmaptool --create --fsid "$fsid" \
    --addv a "[v2:127.0.0.1:$port,v1:127.0.0.1:$((port + 1))]" "$DIR/mon/monmap" >/dev/null
  "$CEPH_MON" --conf "$CONF" --id a --mkfs --monmap "$DIR/mon/monmap" \
    --keyring "$DIR/mon/bootstrap.keyring" >>"$LOGS/mon.a.stdio" 2>&1 \
    || { tail -n 20 "$LOGS/mon.a.stdio" >&2; return 1; }
  rm -f "$DIR/mon/bootstrap.keyring"
  start_daemon mon a
  wait_for 60 "the monitor" mon_answers

  log "creating the manager"
  ceph_quiet auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' mds 'allow *' \
    -o "$DIR/mgr/x/keyring"
  start_daemon mgr x

  # OSDs the way ceph-volume makes them, without ceph-volume: register id, uuid
  # and key with the monitor, then let ceph-osd create its BlueStore. The three
  # mkfs run side by side.
  log "creating ${#OSD_IDS[@]} BlueStore OSDs"
  local mkfs_pids=()
  for n in "${OSD_IDS[@]}"; do
    mkdir -p "$DIR/osd/$n"
    uuid=$(cat /proc/sys/kernel/random/uuid)
    secret=$(ceph-authtool --gen-print-key)
    (umask 077 && printf '{"cephx_secret": "%s"}\n' "$secret" >"$DIR/osd/$n/new.json")
    id=$(ceph_cli osd new "$uuid" "$n" -i "$DIR/osd/$n/new.json") \
      && [[ $id == "$n" ]] || { log "could not register osd.$n (got '${id:-}')"; return 1; }
    rm -f "$DIR/osd/$n/new.json"
    ceph-authtool --create-keyring "$DIR/osd/$n/keyring" --name "osd.$n" --add-key "$secret" >/dev/null
    "$CEPH_OSD" --conf "$CONF" --id "$n" --mkfs --osd-uuid "$uuid" \
      </dev/null >>"$LOGS/osd.$n.stdio" 2>&1 &
    mkfs_pids+=($!)
  done
  for n in "${OSD_IDS[@]}"; do
    wait "${mkfs_pids[$n]}" || { log "mkfs of osd.$n failed:"; tail -n 20 "$LOGS/osd.$n.stdio" >&2; return 1; }
  done
  start_osds
  wait_for 120 "${#OSD_IDS[@]} OSDs up" osds_up

  log "creating pool $POOL (size 3, min_size 2) and user client.mailroom"
  ceph_quiet osd pool create "$POOL" "$PG_NUM" "$PG_NUM" replicated
  ceph_quiet osd pool set "$POOL" size 3
  ceph_quiet osd pool set "$POOL" min_size 2
  ceph_quiet osd pool application enable "$POOL" mailroom
  ceph_quiet auth get-or-create client.mailroom mon 'allow r' osd "allow rwx pool=$POOL" \
    -o "$DIR/client.mailroom.keyring"
}

# Starts the daemons of a cluster made earlier, on their data.
restart_cluster() {
  local n
  log "restarting the cluster in $DIR"
  start_daemon mon a
  wait_for 60 "the monitor" mon_answers
  start_daemon mgr x
  start_osds
  wait_for 120 "${#OSD_IDS[@]} OSDs up" osds_up
}

# On a failed or interrupted start: show why, and stop whatever did start.
START_DONE=0
on_start_exit() {
  local rc=$?
  ((START_DONE)) && return 0
  ((rc != 0)) || rc=1
  # The daemons must be stopped all the same: when a second signal comes (the
  # INT that `timeout` or an impatient Ctrl-C sends again), and when whoever
  # read stderr is gone (an interrupted `... 2>&1 | tee`).
  trap '' INT TERM HUP PIPE
  set +e
  log "start failed (exit $rc); logs are in $LOGS"
  for f in "$LOGS"/*.log; do
    [[ -f $f ]] || continue
    echo "--- last lines of $f" >&2
    tail -n 8 "$f" >&2
  done
  stop_all
  exit "$rc"
}

cmd_start() {
  mkdir -p "$1"
  set_paths "$1"
  if any_daemon_running; then
    die "a cluster is already running in $DIR (scripts/ceph_dev_cluster.sh stop $DIR)"
  fi
  if [[ -d $DIR/mon/a/store.db && -f $CONF ]]; then
    trap on_start_exit EXIT
    restart_cluster
  elif [[ -z $(ls -A "$DIR") ]]; then
    local port=${MAILROOM_CEPH_BASE_PORT:-40789}
    [[ $port =~ ^[0-9]+$ ]] && ((port >= 1024 && port + 209 <= 65535)) \
      || die "MAILROOM_CEPH_BASE_PORT must be a port in 1024..65326: '$port'"
    check_ports_free "$port"
    trap on_start_exit EXIT
    create_cluster "$port"
  else
    die "$DIR is neither empty nor a cluster made by this script"
  fi
  log "waiting for all PGs to be active+clean"
  wait_clean
  check_object_classes
  START_DONE=1
  trap - EXIT
  local health
  health=$(ceph_cli health 2>/dev/null || echo "unknown")
  log "cluster up: $health"
  [[ $health == HEALTH_OK ]] || ceph_cli health detail >&2 || true
  echo "$CONF"
}

cmd_stop() {
  set_paths "$1"
  # Stop completely: no signal cuts it short (each wait is bounded), and no
  # reader that went away (SIGPIPE) either.
  trap '' INT TERM HUP PIPE
  stop_all
  log "stopped"
}

osd_arg() {
  [[ $1 =~ ^[0-9]+$ ]] && (($1 < ${#OSD_IDS[@]})) || die "no such OSD: '$1' (0..$((${#OSD_IDS[@]} - 1)))"
}

cmd_kill_osd() {
  set_paths "$1"
  osd_arg "$2"
  local pids deadline
  pids=$(daemon_pids osd "$2")
  [[ -n $pids ]] || die "osd.$2 is not running"
  # shellcheck disable=SC2086
  kill -KILL $pids
  deadline=$((SECONDS + 10))
  while [[ -n $(daemon_pids osd "$2") ]] && ((SECONDS < deadline)); do sleep 0.1; done
  [[ -z $(daemon_pids osd "$2") ]] || die "osd.$2 survived SIGKILL"
  # shellcheck disable=SC2086  # one word per pid
  wait_reaped $pids
  rm -f "$RUN/osd.$2.pid"
  log "killed osd.$2 (pid $pids)"
}

cmd_start_osd() {
  set_paths "$1"
  osd_arg "$2"
  [[ -z $(daemon_pids osd "$2") ]] || die "osd.$2 is already running"
  [[ -n $(daemon_pids mon) ]] || die "the monitor is not running (start DIR first)"
  local before
  before=$(osd_up_from "$2") || die "the monitor does not answer"
  # Still marked up (killed moments ago): wait for a later boot than that one.
  [[ $before =~ ^[0-9]+$ ]] || before=0
  start_daemon osd "$2"
  wait_for 120 "osd.$2 up" osd_up_since_after "$2" "$before"
  log "osd.$2 up; waiting for all PGs to be active+clean"
  wait_clean
  log "osd.$2 back, cluster clean"
}

cmd_status() {
  set_paths "$1"
  ceph_cli -s
}

main() {
  (($# >= 2)) || usage
  # A signal ends the script at the next command (not only the command it
  # interrupts), through the EXIT trap that cleans up a failed start.
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM
  find_binaries
  case $1 in
    start) (($# == 2)) || usage; cmd_start "$2" ;;
    stop) (($# == 2)) || usage; cmd_stop "$2" ;;
    kill-osd) (($# == 3)) || usage; cmd_kill_osd "$2" "$3" ;;
    start-osd) (($# == 3)) || usage; cmd_start_osd "$2" "$3" ;;
    status) (($# == 2)) || usage; cmd_status "$2" ;;
    *) usage ;;
  esac
}

main "$@"
