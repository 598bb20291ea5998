package hdlgen

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/dataflow/resource"
)

// TopModule is the name of the generated core's module, the top of a
// design with one core.
const TopModule = "swat_core"

// MultiTopModule is the top of a design with hw.cores > 1: the cores side
// by side, each with its own stream ports.
const MultiTopModule = "swat_top"

// File is one generated file: a name relative to the output directory and
// its contents.
type File struct {
	Name string
	Text string
}

// RTL is the generated Verilog of one design point with its testbench and
// scripts.
type RTL struct {
	Design  *dataflow.Design
	Verilog []File // one module per file, leaves first
	Bench   []File // the Verilator C++ testbench
	Scripts []File // Makefile and Yosys scripts
	p       *params
}

// tpl is what a module template sees: the parameters and the file header.
type tpl struct {
	*params
	Hdr string
}

// PreloadFirst reports whether a head starts with the preload phase.
func (p *params) PreloadFirst() bool { return p.HasPin() && p.NGlobal == 0 }

// XiCanExceed reports whether an exp argument's integer part can exceed
// PROB_FRAC (and so flush the result to zero).
func (p *params) XiCanExceed() bool { return p.XiW < 62 && (1<<p.XiW)-1 > p.ProbFrac }

// modules lists the generated modules, leaves first, with what each is.
var modules = []struct{ name, tmpl, what string }{
	{"swat_exp_rom", expROMTmpl, "exp look-up table ROM"},
	{"swat_exp", expTmpl, "exp unit"},
	{"swat_score", scoreTmpl, "score unit"},
	{"swat_dot", dotTmpl, "dot-product slice"},
	{"swat_lane", laneTmpl, "SV/normalisation lane"},
	{"swat_recip", recipTmpl, "reciprocal unit"},
	{"swat_pe", peTmpl, "processing element"},
	{"swat_ram", ramTmpl, "simple dual-port RAM (ring and pinned buffers)"},
	{"swat_mask", maskTmpl, "attention mask of the PEs"},
	{"swat_ctrl", ctrlTmpl, "controller"},
	{TopModule, coreTmpl, "SWAT attention core (top)"},
	{MultiTopModule, topTmpl, "the cores side by side (top, hw.cores > 1)"},
}

// Generate emits the Verilog of design point d, its testbench and scripts,
// for every arch (swat, dense, flash) and scale-out field.
func Generate(d *dataflow.Design) (*RTL, error) {
	if err := CheckName(d.Name); err != nil {
		return nil, err
	}
	p, err := newParams(d)
	if err != nil {
		return nil, err
	}
	return p.emit()
}

// emit renders every file of the design the parameters describe.
func (p *params) emit() (*RTL, error) {
	r := &RTL{Design: p.Design, p: p}
	var err error
	for _, m := range modules {
		if m.name == MultiTopModule && !p.MultiCore() {
			continue
		}
		what := m.what
		if m.name == TopModule && p.MultiCore() {
			what = "SWAT attention core (one of hw.cores, under swat_top)"
		}
		t := tpl{params: p, Hdr: header(p, m.name+".v: "+what)}
		tmpl := m.tmpl
		switch {
		case m.name == "swat_ctrl" && p.Overlap:
			tmpl = ctrlOverlapTmpl + ctrlHeadTmpl
		case m.name == "swat_ctrl":
			tmpl += ctrlHeadTmpl + ctrlFlashTmpl
		case m.name == TopModule:
			tmpl += coreOverlapTmpl
		}
		text, err := render(m.name, tmpl, t)
		if err != nil {
			return nil, err
		}
		r.Verilog = append(r.Verilog, File{m.name + ".v", text})
	}
	if r.Bench, err = benchFiles(p); err != nil {
		return nil, err
	}
	r.Scripts = scriptFiles(r)
	return r, nil
}

// safeName is what a design point's name may be: it is written into
// Verilog comments, the Makefile, Yosys scripts, the C++ testbench and file
// names.
var safeName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$`)

// CheckName rejects a design name that is not safe to write into the
// generated files (a newline in it would end a comment and start Verilog).
func CheckName(name string) error {
	if !safeName.MatchString(name) {
		return fmt.Errorf("name = %q: must be 1 to 64 letters, digits, '_', '-' or '.', starting with a letter, digit or '_' (it is written into Verilog, scripts, C++ and file names)", name)
	}
	return nil
}

// Files is every generated file.
func (r *RTL) Files() []File {
	var fs []File
	fs = append(fs, r.Verilog...)
	fs = append(fs, r.Bench...)
	return append(fs, r.Scripts...)
}

// VerilogNames lists the Verilog file names, leaves first.
func (r *RTL) VerilogNames() []string {
	var n []string
	for _, f := range r.Verilog {
		n = append(n, f.Name)
	}
	return n
}

// WriteDir writes every generated file under dir (created if missing).
func (r *RTL) WriteDir(dir string) error {
	for _, f := range r.Files() {
		path := filepath.Join(dir, f.Name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("hdl: %w", err)
		}
		if err := os.WriteFile(path, []byte(f.Text), 0o644); err != nil {
			return fmt.Errorf("hdl: %w", err)
		}
	}
	return nil
}

// Hash identifies the generated Verilog and testbench: equal hashes mean
// the same simulator.
func (r *RTL) Hash(extra ...string) string {
	h := sha256.New()
	fs := append(append([]File(nil), r.Verilog...), r.Bench...)
	sort.Slice(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
	for _, f := range fs {
		fmt.Fprintf(h, "%s\x00%d\x00%s", f.Name, len(f.Text), f.Text)
	}
	for _, e := range extra {
		fmt.Fprintf(h, "\x00%s", e)
	}
	return hex.EncodeToString(h.Sum(nil))[:20]
}

// Top is the name of the design's top module: swat_core for one core,
// swat_top for several.
func (r *RTL) Top() string { return r.p.Top() }

// Top is the name of the top module.
func (p *params) Top() string {
	if p.MultiCore() {
		return MultiTopModule
	}
	return TopModule
}

// CorePins is the number of I/O pins the top module's ports take.
func (r *RTL) CorePins() int {
	p := r.p
	// per core: q, k, v valid/ready; o valid/ready; data
	core := 3*2 + 2 + 4*p.RowW
	if p.MultiCore() {
		core++ // its own done
	}
	// clk, rst, done; score shift
	return 3 + p.Cores*core + p.ShW
}

// Params is the design point's Verilog parameters, the numbers the
// resource formulas also read.
func (r *RTL) Params() *resource.Params { return r.p.Params }

// ScoreT0 is the score stage whose register is the first logit register:
// 0 when the score takes one cycle, 1 when swat_score registers its
// product first.
func (p *params) ScoreT0() int { return min(p.LatScore-1, 1) }

// ExpA0 is the exp stage whose registers are the first (alpha, p)
// registers: 0 when the exp takes one cycle, 1 when its argument is
// registered first.
func (p *params) ExpA0() int { return min(p.LatExp-1, 1) }
