#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, for test/slurm/slurm.test.ts.
#
#   test/slurm/setup.sh          install (Debian's slurm-wlm + munge) if missing, then start
#   test/slurm/setup.sh stop     stop the daemons this script started (by their pid files)
#
# Everything lives under $DIASPORA_SLURM_DIR (default /tmp/diaspora-slurm): a private slurm.conf on
# its own ports, state, spool, logs and pid files. A slurm.conf already in /etc/slurm is never
# touched, so the script is safe on a machine that belongs to a real cluster.
#
# The outcome is written to $DIASPORA_SLURM_DIR/status, which the test reads:
#   ready                  the cluster answers and its node is idle (SLURM_CONF=$DIR/slurm.conf)
#   unavailable: <why>     Slurm is not installed and could not be (no root, no apt, no network);
#                          the test skips, saying why
#   broken: <why>          Slurm is installed but would not start; the test fails
# The exit code is 0 for ready and unavailable, 1 for broken, so CI fails on a real breakage.
set -uo pipefail

DIR="${DIASPORA_SLURM_DIR:-/tmp/diaspora-slurm}"
CONF="$DIR/slurm.conf"
STATUS="$DIR/status"
CTLD_PORT="${DIASPORA_SLURM_PORT:-16817}"
mkdir -p "$DIR"

say() { echo "slurm setup: $*" >&2; }
finish() { # finish <status line> <exit code>
  echo "$1" > "$STATUS"
  say "$1"
  exit "$2"
}
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop() {
  for pidfile in "$DIR/slurmd.pid" "$DIR/slurmctld.pid" "$DIR/munge/munged.pid"; do
    if alive "$pidfile"; then kill "$(cat "$pidfile")" && say "stopped $(basename "$pidfile" .pid)"; fi
  done
  rm -f "$STATUS"
}

install_slurm() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null && command -v munged >/dev/null; then
    return 0
  fi
  [ "$(id -u)" -eq 0 ] || finish "unavailable: slurm-wlm and munge are not installed and installing them needs root" 0
  command -v apt-get >/dev/null || finish "unavailable: slurm-wlm and munge are not installed and there is no apt-get" 0
  say "installing slurm-wlm and munge (about a minute)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge; } >"$DIR/apt.log" 2>&1; then
    finish "unavailable: apt-get could not install slurm-wlm and munge (see $DIR/apt.log)" 0
  fi
}

start_munge() {
  # A munged of the system (or of an earlier setup) is fine: any running munged that answers will do.
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return 0; fi
  [ -s /etc/munge/munge.key ] || /usr/sbin/mungekey --create >/dev/null 2>&1 || finish "broken: no /etc/munge/munge.key and mungekey could not create one" 1
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  # -R: a munged once run as root (a fallback below) leaves root-owned locks and logs behind.
  chown -R munge:munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null
  chown munge:munge /etc/munge/munge.key 2>/dev/null
  chmod 0400 /etc/munge/munge.key
  # munged runs as the munge user, so its pid file lives in a directory that user owns.
  install -d -o munge -g munge "$DIR/munge" 2>/dev/null || mkdir -p "$DIR/munge"
  runuser -u munge -- /usr/sbin/munged --pid-file="$DIR/munge/munged.pid" 2>"$DIR/munged.err" ||
    /usr/sbin/munged --force --pid-file="$DIR/munge/munged.pid" 2>>"$DIR/munged.err" ||
    finish "broken: munged would not start ($(tr '\n' ' ' <"$DIR/munged.err"))" 1
  for _ in $(seq 50); do
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  finish "broken: munged started but does not answer" 1
}

write_conf() {
  local host cpus
  host="$(hostname -s)"
  cpus="$(nproc)"
  mkdir -p "$DIR/ctld" "$DIR/spool"
  cat >"$CONF" <<EOF
# Written by test/slurm/setup.sh: a one-node cluster on localhost for the diaspora-sim tests.
ClusterName=diaspora-test
SlurmctldHost=${host}(127.0.0.1)
SlurmctldPort=${CTLD_PORT}
SlurmdPort=$((CTLD_PORT + 1))
AuthType=auth/munge
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$DIR/ctld
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
# No cgroups in containers: track job processes through /proc and bind no tasks.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
# Finished jobs are forgotten quickly; array tasks start as soon as a CPU is free.
MinJobAge=30
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

start_slurm() {
  export SLURM_CONF="$CONF"
  if alive "$DIR/slurmctld.pid" && alive "$DIR/slurmd.pid" && scontrol ping >/dev/null 2>&1; then return 0; fi
  write_conf
  alive "$DIR/slurmctld.pid" || slurmctld -f "$CONF" 2>"$DIR/slurmctld.err" || finish "broken: slurmctld would not start ($(tr '\n' ' ' <"$DIR/slurmctld.err"); see $DIR/slurmctld.log)" 1
  alive "$DIR/slurmd.pid" || slurmd -f "$CONF" 2>"$DIR/slurmd.err" || finish "broken: slurmd would not start ($(tr '\n' ' ' <"$DIR/slurmd.err"); see $DIR/slurmd.log)" 1
}

wait_idle() {
  local state=''
  for _ in $(seq 150); do
    state="$(SLURM_CONF="$CONF" sinfo -h -o %T 2>/dev/null | head -1)"
    case "$state" in
      idle | mixed | allocated) return 0 ;;
      down* | drain*) SLURM_CONF="$CONF" scontrol update NodeName="$(hostname -s)" State=RESUME >/dev/null 2>&1 ;;
    esac
    sleep 0.2
  done
  finish "broken: the node did not become idle (last state \"$state\"; see $DIR/slurmctld.log and $DIR/slurmd.log)" 1
}

if [ "${1:-}" = stop ]; then
  stop
  exit 0
fi
install_slurm
start_munge
start_slurm
wait_idle
finish "ready" 0
