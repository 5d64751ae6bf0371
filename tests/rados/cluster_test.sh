#!/usr/bin/env bash
# Checks that the Ceph cluster named by MAILROOM_RADOS_CONF is real and usable
# by the Mailroom user: an object written and read back, omap keys set and
# listed, and an exclusive cls_lock lock that a second cookie cannot take.
# Everything happens in a RADOS namespace of its own, removed at the end.
set -euo pipefail

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

conf=${MAILROOM_RADOS_CONF:-}
[[ -n $conf ]] || fail "MAILROOM_RADOS_CONF is not set: this test needs a Ceph cluster." \
  "scripts/test.sh starts one; by hand: conf=\$(scripts/ceph_dev_cluster.sh start /tmp/ceph)," \
  "then bazel test --test_env=MAILROOM_RADOS_CONF=\$conf ..."
[[ -r $conf ]] || fail "MAILROOM_RADOS_CONF=$conf is not a readable file"
command -v rados >/dev/null || fail "the rados CLI is missing (Debian package ceph-common)"
pool=${MAILROOM_RADOS_POOL:-mailroom}
user=${MAILROOM_RADOS_USER:-mailroom}
ns="cluster-test-$(cat /proc/sys/kernel/random/uuid)"
tmp=${TEST_TMPDIR:-$(mktemp -d)}

# Fail rather than hang when the cluster is gone or its PGs are inactive.
rados_ns() {
  timeout 120 rados --conf "$conf" --id "$user" -p "$pool" -N "$ns" \
    --client_mount_timeout 30 --rados_osd_op_timeout 30 "$@"
}

cleanup() {
  local obj
  for obj in $(rados_ns ls 2>/dev/null); do rados_ns rm "$obj" 2>/dev/null || true; done
}
trap cleanup EXIT

echo "cluster: $conf, pool $pool, user client.$user, namespace $ns"

# An object: write, stat, read back, list.
head -c 100000 /dev/urandom >"$tmp/payload"
rados_ns put message "$tmp/payload" || fail "rados put"
size=$(rados_ns stat message | sed -n 's/.* size \([0-9]*\).*/\1/p')
[[ $size == 100000 ]] || fail "stat size '$size', want 100000"
rados_ns get message "$tmp/readback" || fail "rados get"
cmp -s "$tmp/payload" "$tmp/readback" || fail "object read back differs from what was written"
[[ $(rados_ns ls) == message ]] || fail "namespace listing: '$(rados_ns ls)', want 'message'"
# The namespace keeps it apart: the default namespace has no such object.
if timeout 60 rados --conf "$conf" --id "$user" -p "$pool" stat message >/dev/null 2>&1; then
  fail "object visible outside its namespace"
fi

# Omap: set three keys, list keys and values, read one back, remove one.
rados_ns setomapval index uid.1 one
rados_ns setomapval index uid.2 two
printf 'three' | rados_ns setomapval index uid.3
keys=$(rados_ns listomapkeys index | tr '\n' ' ')
[[ $keys == "uid.1 uid.2 uid.3 " ]] || fail "omap keys: '$keys'"
value=$(rados_ns getomapval index uid.2 "$tmp/value" >/dev/null && cat "$tmp/value")
[[ $value == two ]] || fail "omap value of uid.2: '$value'"
rados_ns listomapvals index | grep -q '^uid.3' || fail "listomapvals misses uid.3"
rados_ns rmomapkey index uid.1
keys=$(rados_ns listomapkeys index | tr '\n' ' ')
[[ $keys == "uid.2 uid.3 " ]] || fail "omap keys after rmomapkey: '$keys'"

# cls_lock: an exclusive lock held by one cookie; another client and cookie
# is refused (EBUSY) until the holder unlocks.
rados_ns lock get message mailbox --lock-type exclusive --lock-cookie first \
  || fail "first exclusive lock refused"
info=$(rados_ns lock info message mailbox)
[[ $info == *'"type":"exclusive"'* && $info == *'"cookie":"first"'* ]] \
  || fail "lock info does not show the exclusive lock of cookie 'first': $info"
if out=$(rados_ns lock get message mailbox --lock-type exclusive --lock-cookie second 2>&1); then
  fail "a second exclusive lock (cookie 'second') was granted"
fi
[[ $out == *"Device or resource busy"* ]] || fail "second lock failed, but not with EBUSY: $out"
# The holder (another client instance) can still be broken, then 'second' gets it.
locker=$(printf '%s' "$info" | sed -n 's/.*"lockers":\[{"name":"\([^"]*\)".*/\1/p')
[[ -n $locker ]] || fail "no locker in lock info: $info"
rados_ns lock break message mailbox "$locker" --lock-cookie first || fail "lock break"
rados_ns lock get message mailbox --lock-type exclusive --lock-cookie second \
  || fail "exclusive lock refused after the first was broken"

echo "PASS"
