package synth

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/hdlgen"
	"github.com/swatsim/swatsim/hdlgen/internal/hdltest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ice40Measure re-measures the iCE40 table of docs/hdl.md:
//
//	go test ./hdlgen/synth -run TestIce40Table -ice40-measure
//
// runs Yosys, nextpnr-ice40 and icepack on each point (as swatsim synth
// --target ice40 --pnr --freq 45 does), writes testdata/ice40/<name>.json
// and prints the table rows for docs/hdl.md. With -ice40-reports DIR it
// reads DIR/<name>/pnr_report.json of earlier swatsim synth --pnr --out
// DIR/<name> runs instead of running the tools.
var (
	ice40Measure = flag.Bool("ice40-measure", false, "re-measure the iCE40 table (runs yosys and nextpnr-ice40)")
	ice40Reports = flag.String("ice40-reports", "", "with -ice40-measure: read nextpnr reports from DIR/<name>/pnr_report.json")
)

// ice40Points are the design points of the iCE40 table: the point
// (ice-a) and two smaller ones.
var ice40Points = []ice40Point{
	{"ice-a", []string{"hw.pes=1", "hw.vector_width=2", "model.head_dim=4", "model.window=16", "model.seq_len=128", "arith=fixed8"}},
	{"ice-b", []string{"hw.pes=1", "hw.vector_width=1", "model.head_dim=4", "model.window=16", "model.seq_len=128", "arith=fixed8"}},
	{"ice-c", []string{"hw.pes=1", "hw.vector_width=1", "model.head_dim=2", "model.window=8", "model.seq_len=64", "arith=fixed8"}},
}

// ice40Point is one design point of the table: a name and its --set
// assignments.
type ice40Point struct {
	name string
	sets []string
}

func (pt ice40Point) design(t *testing.T) *dataflow.Design {
	t.Helper()
	return hdltest.Design(t, pt.name, pt.sets)
}

// ice40Target is the clock the table's runs aim at (--freq).
const ice40Target = 45

// ice40Result is one row's measurement, kept in testdata/ice40.
type ice40Result struct {
	RTLHash     string         `json:"rtl_hash"` // RTL.Hash() of the measured Verilog
	FmaxMHz     float64        `json:"fmax_mhz"`
	Utilisation map[string]Use `json:"utilisation"`
}

func (m ice40Result) row(pt ice40Point) string {
	u := func(k string) string {
		x := m.Utilisation[k]
		return fmt.Sprintf("%d / %d (%.0f%%)", x.Used, x.Available, 100*float64(x.Used)/float64(x.Available))
	}
	return fmt.Sprintf("| %s | `%s` | %.1f | %s | %s | %s |", pt.name, strings.Join(pt.sets, " "), m.FmaxMHz,
		u("ICESTORM_LC"), u("ICESTORM_RAM"), u("SB_IO"))
}

// ice40Header is the head of the table in docs/hdl.md.
const ice40Header = "| point | design (`--set`) | Fmax (MHz) | logic cells | RAM (4 Kb) | I/O |\n|---|---|---|---|---|---|"

// TestIce40Table pins the iCE40 table of docs/hdl.md and README.md: each row must be the
// one its measurement in testdata/ice40 gives, and the measurement must be
// of today's RTL (its hash), so a change of the emitter or of the table
// without a new measurement fails.
func TestIce40Table(t *testing.T) {
	if *ice40Measure {
		measureIce40(t)
	}
	docs := map[string]string{}
	for _, name := range []string{"docs/hdl.md", "README.md"} {
		b, err := os.ReadFile("../../" + name)
		if err != nil {
			t.Fatal(err)
		}
		docs[name] = string(b)
		if !strings.Contains(docs[name], ice40Header) {
			t.Errorf("%s lacks the iCE40 table header:\n%s", name, ice40Header)
		}
	}
	for _, pt := range ice40Points {
		m := readIce40(t, pt.name)
		r, err := hdlgen.Generate(pt.design(t))
		if err != nil {
			t.Fatal(err)
		}
		if h := r.Hash(); h != m.RTLHash {
			t.Errorf("%s: the RTL changed since the iCE40 measurement (hash %s, measured %s): re-run go test ./hdlgen/synth -run TestIce40Table -ice40-measure", pt.name, h, m.RTLHash)
		}
		// The fit check's pin count against nextpnr's placed I/O.
		if got, want := r.CorePins(), m.Utilisation["SB_IO"].Used; got != want {
			t.Errorf("%s: CorePins = %d, nextpnr placed %d SB_IO", pt.name, got, want)
		}
		for name, doc := range docs {
			if row := m.row(pt); !strings.Contains(doc, row) {
				t.Errorf("%s lacks the row\n%s", name, row)
			}
		}
	}
}

func readIce40(t *testing.T, name string) ice40Result {
	t.Helper()
	var m ice40Result
	b, err := os.ReadFile(filepath.Join("testdata", "ice40", name+".json"))
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

func measureIce40(t *testing.T) {
	if err := os.MkdirAll(filepath.Join("testdata", "ice40"), 0o755); err != nil {
		t.Fatal(err)
	}
	fmt.Println(ice40Header)
	for _, pt := range ice40Points {
		r, err := hdlgen.Generate(pt.design(t))
		if err != nil {
			t.Fatal(err)
		}
		rep := &PnRReport{}
		if *ice40Reports != "" {
			err = rep.readNextpnr(filepath.Join(*ice40Reports, pt.name, "pnr_report.json"))
		} else {
			rep, err = PlaceRoute(context.Background(), r, HX8K, ice40Target, t.TempDir())
		}
		if err != nil {
			t.Fatal(err)
		}
		m := ice40Result{RTLHash: r.Hash(), FmaxMHz: rep.FmaxMHz, Utilisation: map[string]Use{}}
		for _, k := range []string{"ICESTORM_LC", "ICESTORM_RAM", "SB_IO"} {
			m.Utilisation[k] = rep.Utilisation[k]
		}
		b, _ := json.MarshalIndent(m, "", "  ")
		if err := os.WriteFile(filepath.Join("testdata", "ice40", pt.name+".json"), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Println(m.row(pt))
	}
}
