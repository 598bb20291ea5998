#!/usr/bin/env bash
# Installs the HDL tools swatsim's hdlgen package uses -- Verilator
# (co-simulation), Yosys (synthesis), ccache (faster rebuilds), nextpnr-ice40
# and icepack (iCE40 place and route, bitstream) -- from Debian's packages
# when any is missing. Idempotent and quiet: does nothing when all are on
# PATH. Needs root (or sudo) to install.
set -euo pipefail

# tool:package pairs.
tools="verilator:verilator yosys:yosys ccache:ccache nextpnr-ice40:nextpnr-ice40 icepack:fpga-icestorm"
missing=()
missing_tools=()
for pair in $tools; do
	tool=${pair%%:*}
	pkg=${pair#*:}
	if ! command -v "$tool" >/dev/null 2>&1; then
		missing+=("$pkg")
		missing_tools+=("$tool")
	fi
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
	echo "install-hdl-tools: missing ${missing[*]} and no apt-get; install Verilator >= 5.006, Yosys >= 0.23, ccache, nextpnr-ice40 and fpga-icestorm by hand" >&2
	exit 1
fi

echo "install-hdl-tools: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for tool in "${missing_tools[@]}"; do
	command -v "$tool" >/dev/null 2>&1 || { echo "install-hdl-tools: $tool still missing after apt-get" >&2; exit 1; }
done
