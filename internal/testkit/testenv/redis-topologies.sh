#!/usr/bin/env bash
# Starts the Redis topologies the store tests use: servers on loopback
# ports, without persistence (--save "" --appendonly no), each with its
# directory (config, log, pid file) under a directory of the topology.
#
#   redis-topologies.sh up
#       The shared topologies CI starts, under $REDIS_TOPOLOGIES_DIR
#       (default: $TMPDIR/ignitego-session-redis):
#         a Redis Cluster of three masters and three replicas on
#         127.0.0.1:7001-7006;
#         a Sentinel group: master 127.0.0.1:7101, replica 7102, sentinels
#         7111-7113, master name mymaster.
#       A topology that is already up is left as it is.
#   redis-topologies.sh cluster DIR PORT[:BUSPORT]... (six of them)
#       A cluster of three masters and three replicas; the cluster bus port
#       defaults to PORT+10000.
#   redis-topologies.sh sentinel DIR NAME MASTER REPLICA SENTINEL SENTINEL SENTINEL
#       A master, its replica, and three sentinels watching it as NAME with
#       a quorum of two.
#   redis-topologies.sh down DIR
#       Stops the servers started under DIR, by their pid files.
#
# Each command returns once the topology serves: every cluster node reports
# cluster_state:ok and every replica is in sync; every sentinel reaches the
# failover quorum and knows the replica.
#
# How soon a topology starts a failover (milliseconds): REDIS_NODE_TIMEOUT
# (cluster-node-timeout) and REDIS_DOWN_AFTER (Sentinel's
# down-after-milliseconds), both 5000 by default. REDIS_FRESH, when set,
# makes a port where something answers already an error, for a caller that
# chose free ports: cluster and sentinel then start every server themselves.
set -euo pipefail

node_timeout=${REDIS_NODE_TIMEOUT:-5000}
down_after=${REDIS_DOWN_AFTER:-5000}
fresh=${REDIS_FRESH:-}

log() { printf 'redis-topologies: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

cli() { # port command...
  local port=$1; shift
  redis-cli -h 127.0.0.1 -p "$port" "$@" 2>/dev/null
}

up_already() { [ "$(cli "$1" ping)" = PONG ]; }

# taken port: whether something answers on port, which REDIS_FRESH forbids.
taken() {
  up_already "$1" || return 1
  [ -z "$fresh" ] || die "port $1 is taken"
}

# wait_until seconds what command...: runs command every 0.2 s until it
# succeeds, or fails the script after the given seconds.
wait_until() {
  local secs=$1 what=$2; shift 2
  local i
  for ((i = 0; i < secs * 5; i++)); do
    if "$@"; then return 0; fi
    sleep 0.2
  done
  die "gave up after ${secs}s waiting for $what"
}

# server dir port args...: starts redis-server on 127.0.0.1:port unless
# something answers there already.
server() {
  local dir=$1 port=$2; shift 2
  if taken "$port"; then return 0; fi
  mkdir -p "$dir/$port"
  redis-server --port "$port" --bind 127.0.0.1 --protected-mode no \
    --save "" --appendonly no --daemonize yes \
    --dir "$dir/$port" --pidfile "$dir/$port/redis.pid" --logfile "$dir/$port/redis.log" "$@" 9>&- # not the lock of "up"
  wait_until 20 "redis-server on port $port" up_already "$port" \
    || die "redis-server on port $port did not start; see $dir/$port/redis.log"
}

info_field() { # port section field
  cli "$1" info "$2" | tr -d '\r' | sed -n "s/^$3://p"
}

replica_synced() { # port: a master, or a replica whose link to its master is up
  local role
  role=$(info_field "$1" replication role)
  [ "$role" = master ] || [ "$(info_field "$1" replication master_link_status)" = up ]
}

cluster_ok() { # ports...
  local p
  for p in "$@"; do
    cli "$p" cluster info | tr -d '\r' | grep -qx 'cluster_state:ok' || return 1
    [ "$(cli "$p" cluster info | tr -d '\r' | sed -n 's/^cluster_known_nodes://p')" = "$#" ] || return 1
    replica_synced "$p" || return 1
  done
  [ "$(cli "$1" cluster nodes | grep -c slave)" = 3 ]
}

cluster_empty() { # ports...: no node has a slot yet
  local p
  for p in "$@"; do
    [ "$(cli "$p" cluster info | tr -d '\r' | sed -n 's/^cluster_slots_assigned://p')" = 0 ] || return 1
  done
}

cluster() {
  [ $# -eq 7 ] || die "usage: cluster DIR PORT[:BUSPORT] (six of them)"
  local dir=$1; shift
  local spec port bus ports=() addrs=()
  for spec in "$@"; do
    port=${spec%%:*}
    bus=$((port + 10000))
    [ "$spec" = "$port" ] || bus=${spec#*:}
    server "$dir" "$port" --cluster-enabled yes --cluster-config-file nodes.conf \
      --cluster-node-timeout "$node_timeout" --cluster-port "$bus"
    ports+=("$port")
    addrs+=("127.0.0.1:$port")
  done
  if cluster_ok "${ports[@]}"; then
    log "cluster on ${ports[*]} is up"
    return 0
  fi
  if cluster_empty "${ports[@]}"; then
    redis-cli --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1 \
      || die "redis-cli --cluster create failed; see $dir/create.log"
  fi
  wait_until 60 "cluster_state:ok on ${ports[*]}" cluster_ok "${ports[@]}"
  log "cluster on ${ports[*]} is up"
}

sentinel_ok() { # name sentinels...
  local name=$1 s; shift
  for s in "$@"; do
    cli "$s" sentinel ckquorum "$name" | grep -q '^OK' || return 1
    cli "$s" sentinel replicas "$name" | grep -qx 'slave' || return 1
  done
}

sentinel() {
  [ $# -eq 7 ] || die "usage: sentinel DIR NAME MASTER REPLICA SENTINEL SENTINEL SENTINEL"
  local dir=$1 name=$2 master=$3 replica=$4; shift 4
  server "$dir" "$master"
  server "$dir" "$replica" --replicaof 127.0.0.1 "$master"
  local s conf
  for s in "$@"; do
    taken "$s" && continue
    mkdir -p "$dir/$s"
    conf="$dir/$s/sentinel.conf"
    # A sentinel rewrites its file with what it learns; a restarted one
    # keeps what it knew.
    [ -f "$conf" ] || cat >"$conf" <<EOF
port $s
bind 127.0.0.1
protected-mode no
daemonize yes
dir $dir/$s
pidfile $dir/$s/redis.pid
logfile $dir/$s/redis.log
sentinel monitor $name 127.0.0.1 $master 2
sentinel down-after-milliseconds $name $down_after
sentinel failover-timeout $name 10000
sentinel parallel-syncs $name 1
EOF
    redis-server "$conf" --sentinel 9>&-
    wait_until 20 "sentinel on port $s" up_already "$s" || die "sentinel on port $s did not start; see $dir/$s/redis.log"
  done
  wait_until 60 "the sentinels of $name to reach quorum and see the replica" sentinel_ok "$name" "$@"
  wait_until 30 "the replica on port $replica to sync" replica_synced "$replica"
  log "sentinel group $name (master $master, replica $replica, sentinels $*) is up"
}

down() {
  [ $# -eq 1 ] || die "usage: down DIR"
  local pidfile pid pids=()
  for pidfile in "$1"/*/redis.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    # Only a redis-server this script started: the pid may have been reused.
    if grep -q redis-server "/proc/$pid/cmdline" 2>/dev/null; then
      kill "$pid" && pids+=("$pid")
    fi
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  done
}

command -v redis-server >/dev/null && command -v redis-cli >/dev/null || die "redis-server and redis-cli must be in PATH"
case "${1:-}" in
  up)
    base=${REDIS_TOPOLOGIES_DIR:-${TMPDIR:-/tmp}/ignitego-session-redis}
    mkdir -p "$base"
    exec 9>"$base/.lock"
    flock 9 # one start at a time
    cluster "$base/cluster" 7001 7002 7003 7004 7005 7006
    sentinel "$base/sentinel" mymaster 7101 7102 7111 7112 7113
    ;;
  cluster | sentinel | down)
    cmd=$1; shift
    "$cmd" "$@"
    ;;
  *)
    die "usage: redis-topologies.sh up | cluster DIR PORT... | sentinel DIR NAME MASTER REPLICA S1 S2 S3 | down DIR"
    ;;
esac
