package tool

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// ErrMissing is wrapped by the errors of functions that need an external
// tool (verilator, yosys) that is not on PATH.
var ErrMissing = errors.New("tool not found")

// packages names the Debian package of each external tool.
var packages = map[string]string{
	"verilator": "verilator", "yosys": "yosys", "ccache": "ccache",
	"nextpnr-ice40": "nextpnr-ice40", "icepack": "fpga-icestorm",
}

// Look returns the path of an external tool or an error wrapping
// ErrMissing that names the package to install.
func Look(name string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		pkg := packages[name]
		if pkg == "" {
			pkg = name
		}
		return "", fmt.Errorf("hdl: %s: %w on PATH: install the Debian package %s (apt-get install %s, or scripts/install-hdl-tools.sh)",
			name, ErrMissing, pkg, pkg)
	}
	return p, nil
}

// Tail is the last n lines of out.
func Tail(out []byte, n int) string {
	l := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(l) > n {
		l = append([]string{"..."}, l[len(l)-n:]...)
	}
	return strings.Join(l, "\n")
}
