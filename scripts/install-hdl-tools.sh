#!/usr/bin/env bash
# Installs the HDL tools swatsim's hdlgen package uses -- Verilator
# (co-simulation), Yosys (synthesis) and ccache (faster rebuilds) -- from
# Debian's packages when any is missing. Idempotent and quiet: does nothing
# when all three are on PATH. Needs root (or sudo) to install.
set -euo pipefail

missing=()
for tool in verilator yosys ccache; do
	command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -eq 0 ]; then
	exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "install-hdl-tools: missing ${missing[*]}; run as root or install them with apt-get" >&2
		exit 1
	fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-hdl-tools: missing ${missing[*]} and no apt-get; install Verilator >= 5.006, Yosys >= 0.23 and ccache by hand" >&2
	exit 1
fi

echo "install-hdl-tools: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for tool in "${missing[@]}"; do
	command -v "$tool" >/dev/null 2>&1 || { echo "install-hdl-tools: $tool still missing after apt-get" >&2; exit 1; }
done
