#!/usr/bin/env bash
# A single-node Slurm cluster on 127.0.0.1 for swatsim's explore tests (and
# for trying --slurm on one machine).
#
#   scripts/slurm-local.sh start WORKDIR   install slurm-wlm and munge when
#                                          missing, start munged (unless one
#                                          runs), slurmctld and slurmd with a
#                                          config in WORKDIR, wait until the
#                                          node is idle, and print
#                                          "export SLURM_CONF=WORKDIR/slurm.conf"
#   scripts/slurm-local.sh stop WORKDIR    stop only the daemons start started
#                                          (by the PIDs it recorded in WORKDIR)
#
# The config lives outside /etc (every client needs SLURM_CONF), and the
# ports are free ones, so the packaged services and other clusters are left
# alone. Needs root (or sudo) to install, and root to run slurmd and munged.
set -euo pipefail

usage() { echo "usage: $0 start|stop WORKDIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
work=$(mkdir -p "$2" && cd "$2" && pwd)

log() { echo "slurm-local: $*" >&2; }

install_missing() {
	local missing=()
	for tool in slurmctld slurmd sbatch squeue sinfo munged munge; do
		command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
	done
	[ "${#missing[@]}" -eq 0 ] && return 0
	local sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || { log "missing ${missing[*]}; run as root or apt-get install slurm-wlm munge"; exit 1; }
		sudo="sudo"
	fi
	command -v apt-get >/dev/null 2>&1 || { log "missing ${missing[*]} and no apt-get; install Slurm (slurmctld, slurmd, client) and munge by hand"; exit 1; }
	log "installing slurm-wlm and munge (missing: ${missing[*]})"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq >/dev/null
	$sudo apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
}

# pid_alive FILE: the PID recorded in FILE is a running process.
pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_munge() {
	if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
		return 0 # a munged is running: use it, and leave it running
	fi
	if [ ! -s /etc/munge/munge.key ]; then
		mkdir -p /etc/munge
		dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
	fi
	chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
	mkdir -p /run/munge /var/lib/munge /var/log/munge
	chown munge:munge /run/munge /var/lib/munge /var/log/munge
	runuser -u munge -- /usr/sbin/munged
	for _ in $(seq 50); do
		[ -s /run/munge/munged.pid ] && break
		sleep 0.1
	done
	cp /run/munge/munged.pid "$work/munged.pid"
	munge -n | unmunge >/dev/null || { log "munged does not answer"; exit 1; }
}

# free_port N: the first TCP port from N up that nothing listens on.
free_port() {
	local p=$1
	while ss -Htln "sport = :$p" | grep -q .; do p=$((p + 1)); done
	echo "$p"
}

write_conf() {
	local cpus mem ctl nd
	cpus=$(nproc)
	mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
	ctl=$(free_port $((20000 + RANDOM % 20000)))
	nd=$(free_port $((ctl + 1)))
	mkdir -p "$work/state" "$work/spool"
	cat >"$work/slurm.conf" <<CONF
ClusterName=swatsimlocal
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctl
SlurmdPort=$nd
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0
ReturnToService=2
MpiDefault=none
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
}

start() {
	if pid_alive "$work/slurmctld.pid" && pid_alive "$work/slurmd.pid"; then
		echo "export SLURM_CONF=$work/slurm.conf"
		return 0
	fi
	install_missing
	[ "$(id -u)" -eq 0 ] || { log "slurmd and munged need root"; exit 1; }
	start_munge
	write_conf
	export SLURM_CONF=$work/slurm.conf
	/usr/sbin/slurmctld -f "$SLURM_CONF"
	/usr/sbin/slurmd -f "$SLURM_CONF" -N localhost
	for _ in $(seq 300); do
		state=$(sinfo -h -n localhost -o %T 2>/dev/null || true)
		if [ "$state" = idle ]; then
			echo "export SLURM_CONF=$SLURM_CONF"
			return 0
		fi
		sleep 0.2
	done
	log "the node did not become idle (state: ${state:-none}); logs in $work"
	stop
	exit 1
}

# stop_pid FILE: stop the daemon whose PID start recorded in FILE.
stop_pid() {
	local f=$1 pid
	[ -s "$f" ] || return 0
	pid=$(cat "$f")
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid"
		for _ in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
	fi
	rm -f "$f"
}

stop() {
	stop_pid "$work/slurmd.pid"
	stop_pid "$work/slurmctld.pid"
	stop_pid "$work/munged.pid"
}

case $action in
start) start ;;
stop) stop ;;
*) usage ;;
esac
