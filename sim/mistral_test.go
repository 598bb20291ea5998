package sim_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/sim"
)

// mistralRow is one row of the table "A Mistral-7B-like layer on a U55C"
// in docs/scaleout.md, from the same runs as the documented command
// (swatsim sim --config designs/mistral7b-u55c.yaml --timing-only
// --set model.seq_len=N --baseline): SWAT event by event, the flash and
// dense baselines as sim.BaselineReport gives them, the H200 from the GQA
// anchor.
func mistralRow(t *testing.T, n int) string {
	t.Helper()
	d, err := dataflow.Load("../designs/mistral7b-u55c.yaml", []string{fmt.Sprint("model.seq_len=", n)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Run(d, nil, sim.Options{TimingOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	sw := res.Report
	cells := []string{fmt.Sprint(n), fmt.Sprintf("%.1f", 1e3*sw.LatencyS), fmt.Sprintf("%.2f", sw.EnergyJ), fmt.Sprintf("%.1f%%", 100*sw.MACUtilization),
		fmt.Sprintf("%.0f", float64(sw.OffchipBytes)/1e6)}
	for _, arch := range []string{dataflow.ArchFlash, dataflow.ArchDense} {
		o := *d
		o.Arch = arch
		b, err := sim.BaselineReport(&o)
		if err != nil {
			t.Fatal(err)
		}
		cells = append(cells, fmt.Sprintf("%.1f", 1e3*b.LatencyS), fmt.Sprintf("%.2f", b.EnergyJ), fmt.Sprintf("%.0f", float64(b.OffchipBytes)/1e6))
	}
	g := sw.GPU
	if g == nil {
		t.Fatalf("N=%d: no H200 anchor row", n)
	}
	cells = append(cells, fmt.Sprintf("%.2f", g.GPUMs), fmt.Sprintf("%.2f", g.GPUEnergy), fmt.Sprintf("%.0fx", 1/g.Speedup), fmt.Sprintf("%.1fx", 1/g.EnergyGap))
	return "| " + strings.Join(cells, " | ") + " |"
}

// TestMistralTablePinned recomputes every row of the docs table and the
// design's device utilisation and requires them verbatim in
// docs/scaleout.md (the 64K SWAT run takes tens of
// seconds; -short skips this test).
func TestMistralTablePinned(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the 16K, 32K and 64K layers")
	}
	var rows []string
	for _, n := range []int{16384, 32768, 65536} {
		rows = append(rows, mistralRow(t, n))
		t.Log(rows[len(rows)-1])
	}
	doc, err := os.ReadFile("../docs/scaleout.md")
	if err != nil {
		t.Fatal(err)
	}
	d, err := dataflow.Load("../designs/mistral7b-u55c.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	an, err := sim.Analytic(d)
	if err != nil {
		t.Fatal(err)
	}
	u := an.DeviceUse
	rows = append(rows, fmt.Sprintf("DSP %.1f%%, LUT %.1f%%, FF %.1f%%, URAM %.1f%%", 100*u.DSP, 100*u.LUT, 100*u.FF, 100*u.URAM))
	for _, row := range rows {
		if !strings.Contains(strings.ReplaceAll(string(doc), "\n", " "), row) {
			t.Errorf("docs/scaleout.md lacks the row\n%s", row)
		}
	}
}
