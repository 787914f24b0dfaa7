#!/usr/bin/env bash
# A single-node Slurm on this machine, for the sharding test and for trying
# the recipes of docs/scale.md: munged, slurmctld and slurmd on localhost,
# one node with this machine's CPUs, no cgroups (ProctrackType
# proctrack/linuxproc, TaskPlugin task/none), run as root.
#
#   scripts/slurm-local.sh start   # prints `export SLURM_CONF=...`
#   scripts/slurm-local.sh stop    # stops the daemons it started
#
# Its files (slurm.conf, state, logs, pid files) live in $QDA_SLURM_DIR
# (default /tmp/qda-slurm). Needs the Debian packages slurm-wlm and munge.
set -euo pipefail

dir="${QDA_SLURM_DIR:-/tmp/qda-slurm}"
conf="$dir/slurm.conf"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

stop_pid() { # pid file, name
  if [ -f "$1" ]; then
    local pid
    pid="$(cat "$1")"
    if $sudo kill -0 "$pid" 2>/dev/null; then
      $sudo kill "$pid"
      for _ in $(seq 50); do $sudo kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      echo "stopped $2 ($pid)"
    fi
    $sudo rm -f "$1"
  fi
}

case "${1:-}" in
start)
  mkdir -p "$dir/state" "$dir/spool"
  host="$(hostname -s)"
  cpus="$(nproc)"
  cat >"$conf" <<CONF
ClusterName=qda
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$conf"
  # munge: a key if the package made none, and the daemon unless running.
  if [ ! -s /etc/munge/munge.key ]; then
    $sudo mungekey --create --keyfile /etc/munge/munge.key
    $sudo chown munge:munge /etc/munge/munge.key 2>/dev/null || true
  fi
  if ! munge -n >/dev/null 2>&1; then
    $sudo mkdir -p /run/munge
    $sudo chown munge:munge /run/munge 2>/dev/null || true
    $sudo munged --pid-file "$dir/munged.pid" --force
    for _ in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  $sudo slurmctld -f "$conf"
  $sudo slurmd -f "$conf"
  # Ready when the node takes jobs.
  for _ in $(seq 100); do
    if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
      echo "export SLURM_CONF=$conf"
      exit 0
    fi
    sleep 0.2
  done
  echo "slurm-local: the node did not come up; see $dir/slurmctld.log and $dir/slurmd.log" >&2
  sinfo >&2 || true
  exit 1
  ;;
stop)
  stop_pid "$dir/slurmd.pid" slurmd
  stop_pid "$dir/slurmctld.pid" slurmctld
  stop_pid "$dir/munged.pid" munged
  ;;
*)
  echo "usage: $0 start|stop" >&2
  exit 2
  ;;
esac
