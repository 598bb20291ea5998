package synth

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/swatsim/swatsim/dataflow/resource"
	"github.com/swatsim/swatsim/hdlgen"
	"github.com/swatsim/swatsim/hdlgen/internal/tool"
)

// Report is the outcome of a Yosys run.
type Report struct {
	Target    hdlgen.Target
	Flat      bool // one flattened netlist, or each module once
	Resources resource.Resources
	Time      time.Duration
	Dir       string // where the script, log and statistics are
	Stat      string // the statistics file (Yosys's stat, per module and for the design)
}

// Yosys runs Yosys on the generated design for the target in dir (a
// temporary directory, removed afterwards, when empty) and parses stat.
// flat synthesizes the whole core as one netlist (synth_xilinx -flatten);
// otherwise each module is synthesized once and the counts are summed over
// its instances, which is much faster on big designs and loses only
// optimisations across module boundaries.
func Yosys(ctx context.Context, r *hdlgen.RTL, t hdlgen.Target, flat bool, dir string) (*Report, error) {
	if _, err := tool.Look("yosys"); err != nil {
		return nil, err
	}
	if dir == "" {
		tmp, err := os.MkdirTemp("", "swatsim-synth-")
		if err != nil {
			return nil, fmt.Errorf("hdl: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	if err := r.WriteDir(dir); err != nil {
		return nil, err
	}
	start := time.Now()
	script := hdlgen.ScriptName(t, flat)
	base := strings.TrimSuffix(script, ".ys")
	if out, err := tool.Run(ctx, dir, "yosys", "-q", "-l", base+".log", "-s", script); err != nil {
		return nil, fmt.Errorf("hdl: yosys %s failed: %v\n%s", t, err, tool.Tail(out, 30))
	}
	rep := &Report{Target: t, Flat: flat, Time: time.Since(start), Dir: dir, Stat: filepath.Join(dir, "stat_"+base+".txt")}
	cells, err := readStat(rep.Stat)
	if err != nil {
		return nil, err
	}
	rep.Resources = tally(t, cells)
	return rep, nil
}

// lutRAMCells are the LUTs each distributed-memory or shift-register cell
// occupies.
var lutRAMCells = map[string]int{
	"RAM32M": 4, "RAM64M": 4, "RAM32M16": 8, "RAM64M8": 8, "RAM32X1D": 2, "RAM64X1D": 2, "RAM128X1D": 4, "RAM32X1S": 1,
	"RAM64X1S": 1, "RAM128X1S": 2, "RAM256X1S": 4, "SRL16E": 1, "SRLC32E": 1, "TRELLIS_DPR16X4": 1,
}

var cellLine = regexp.MustCompile(`^\s+(\S+)\s+(\d+)\s*$`)

// readStat reads the cell counts of the last section of Yosys's stat
// output: the flattened module, or the design hierarchy's totals.
func readStat(path string) (map[string]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hdl: yosys statistics: %w", err)
	}
	defer f.Close()
	cells := map[string]int{}
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if strings.Contains(l, "Number of cells:") {
			in, cells = true, map[string]int{}
			continue
		}
		if m := cellLine.FindStringSubmatch(l); in && m != nil {
			n, _ := strconv.Atoi(m[2])
			cells[m[1]] += n
		} else if in && strings.TrimSpace(l) == "" && len(cells) > 0 {
			in = false
		}
	}
	if len(cells) == 0 {
		return nil, fmt.Errorf("hdl: yosys statistics %s: no cells", path)
	}
	return cells, sc.Err()
}

// tally maps a target's cell types to resource counts.
func tally(t hdlgen.Target, cells map[string]int) resource.Resources {
	r := resource.Resources{Cells: cells}
	for name, n := range cells {
		switch {
		case t.Xilinx() && strings.HasPrefix(name, "LUT"), !t.Xilinx() && (name == "SB_LUT4" || name == "LUT4"):
			r.LUT += n
		case lutRAMCells[name] > 0:
			r.LUTRAM += lutRAMCells[name] * n
		case strings.HasPrefix(name, "FD") || strings.HasPrefix(name, "SB_DFF") || name == "TRELLIS_FF":
			r.FF += n
		case name == "DSP48E1" || name == "DSP48E2" || name == "SB_MAC16" || name == "MULT18X18D":
			r.DSP += n
		case name == "RAMB36E1" || name == "RAMB36E2" || name == "SB_RAM40_4K" || name == "DP16KD":
			r.BRAM36 += float64(n)
		case name == "RAMB18E1" || name == "RAMB18E2":
			r.BRAM36 += 0.5 * float64(n)
		case name == "URAM288":
			r.URAM += n
		}
	}
	return r
}
