package explore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
)

// fakeReport is a report whose numbers follow the design in closed form,
// so run tests need not wait for the cycle model.
func fakeReport(d *dataflow.Design) map[string]any {
	lanes := float64(d.HW.PEs * d.HW.VectorWidth)
	macs := float64(2 * d.Model.SeqLen * d.Model.HeadDim * d.Model.Window)
	lat := macs / lanes / d.ClockHz()
	return map[string]any{"latency_s": lat, "energy_j": lat*20 + lanes*1e-4, "power_w": 20 + lanes*1e-4/lat,
		"useful_macs": macs, "offchip_bytes": 4 * d.Model.SeqLen * d.Model.HeadDim * 2, "macs_per_cycle": 2 * lanes,
		"clock_mhz": d.HW.ClockMHz, "resources": map[string]any{"dsp": lanes, "lut": lanes * 100}}
}

// countingEval counts its calls and fails designs with 2 PEs.
func countingEval(calls *atomic.Int64) Evaluator {
	return func(d *dataflow.Design) ([]byte, error) {
		calls.Add(1)
		if d.HW.PEs == 2 {
			return nil, errors.New("fake model failure")
		}
		return json.Marshal(fakeReport(d))
	}
}

const smallSpace = `fields:
  hw.pes: [2, 4, 8, 16]
  hw.vector_width: [8, 16]
  model.window: [16, 64]
  model.seq_len: [128]
constraints:
  resources: {dsp: 100}
objectives:
  latency_s: min
  energy_j: min
`

func runSpace(t *testing.T, s *Space, dir string, workers int, eval Evaluator, warn *bytes.Buffer) Summary {
	t.Helper()
	if warn == nil {
		warn = &bytes.Buffer{}
	}
	r := &Runner{Space: s, Dir: dir, Workers: workers, Eval: eval, Warn: warn}
	sum, err := r.Run()
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func storeLines(t *testing.T, dir string) []string {
	t.Helper()
	rs, err := ReadDir(dir, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(rs.JSONL())), "\n")
}

// TestWorkersMatchSerial runs the real model serially and on 4 workers.
func TestWorkersMatchSerial(t *testing.T) {
	s := mustSpace(t, smallSpace)
	serial, parallel := t.TempDir(), t.TempDir()
	runSpace(t, s, serial, 1, nil, nil)
	runSpace(t, s, parallel, 4, nil, nil)
	a, _ := os.ReadFile(filepath.Join(serial, ResultsFile))
	rs, _ := ReadDir(parallel, &bytes.Buffer{})
	if got := rs.JSONL(); !bytes.Equal(sortedLines(a), got) || len(rs) != 16 {
		t.Errorf("4 workers stored %d records that differ from the serial run's", len(rs))
	}
}

func sortedLines(b []byte) []byte {
	rs := Records{}
	for _, l := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		if r, err := parseRecord(l); err == nil {
			rs.add(r)
		}
	}
	return rs.JSONL()
}

func TestRecords(t *testing.T) {
	s := mustSpace(t, smallSpace)
	dir := t.TempDir()
	var calls atomic.Int64
	sum := runSpace(t, s, dir, 3, countingEval(&calls), nil)
	if sum != (Summary{Points: 16, Evaluated: 16, Failed: 4}) || calls.Load() != 16 {
		t.Fatalf("summary %+v, %d calls", sum, calls.Load())
	}
	rs, _ := ReadDir(dir, &bytes.Buffer{})
	for _, r := range rs {
		var f map[string]any
		json.Unmarshal(r.Fields, &f)
		failed := f["hw.pes"] == 2.0
		rep, _ := decodeJSON(r.Report)
		wantFits := !failed && number(rep, "resources.dsp") <= 100
		switch {
		case failed && (r.Error != "fake model failure" || string(r.Report) != "null" || r.Fits):
			t.Errorf("failed point recorded as %s", r.line)
		case !failed && (r.Error != "" || r.Fits != wantFits):
			t.Errorf("point recorded as %s, want fits %v", r.line, wantFits)
		}
		d, err := dataflow.Load("", s.Sets(Point{Values: []string{fmt.Sprint(f["hw.pes"]), fmt.Sprint(f["hw.vector_width"]), fmt.Sprint(f["model.window"]), "128"}}))
		if err != nil {
			t.Fatal(err)
		}
		design, _ := json.Marshal(d)
		if r.Hash != hashText(string(design)) {
			t.Errorf("hash %s is not the resolved design's", r.Hash)
		}
	}
	// A re-run evaluates nothing; losing two records re-runs those two.
	if sum := runSpace(t, s, dir, 2, countingEval(&calls), nil); sum.Evaluated != 0 || sum.Stored != 16 {
		t.Errorf("re-run: %+v", sum)
	}
	lines := storeLines(t, dir)
	os.WriteFile(filepath.Join(dir, ResultsFile), []byte(strings.Join(lines[2:], "\n")+"\n"), 0o644)
	before := calls.Load()
	if sum := runSpace(t, s, dir, 2, countingEval(&calls), nil); sum.Evaluated != 2 || calls.Load()-before != 2 {
		t.Errorf("after losing 2 records: %+v, %d calls", sum, calls.Load()-before)
	}
	if got := storeLines(t, dir); strings.Join(got, "\n") != strings.Join(lines, "\n") {
		t.Errorf("the re-run points differ from the first run's")
	}
}

func TestFailedPoints(t *testing.T) {
	s := mustSpace(t, "fields: {hw.pes: [0, 4], model.seq_len: [64]}\nobjectives: {latency_s: min}\n")
	dir := t.TempDir()
	panicky := func(d *dataflow.Design) ([]byte, error) { panic("model bug") }
	if sum := runSpace(t, s, dir, 2, panicky, nil); sum.Failed != 2 {
		t.Fatalf("%+v", sum)
	}
	errs := map[string]bool{}
	for _, r := range ReadAll(t, dir) {
		errs[r.Error] = true
		if r.Fits || string(r.Report) != "null" {
			t.Errorf("failed point %s", r.line)
		}
	}
	if !errs["hw.pes = 0: must be in [1, 1024]"] || !errs["internal error: model bug"] {
		t.Errorf("errors recorded: %v", errs)
	}
}

func ReadAll(t *testing.T, dir string) []*Record {
	rs, err := ReadDir(dir, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	return rs.Sorted()
}

// TestEqualDesignsStoredOnce: memory.channels 0 (the device's) and 8 (what
// the custom card's HBM2 gives) resolve to one design.
func TestEqualDesignsStoredOnce(t *testing.T) {
	s := mustSpace(t, "fields: {memory.channels: [0, 8, 4], model.seq_len: [64]}\nobjectives: {latency_s: min}\n")
	dir := t.TempDir()
	var calls atomic.Int64
	sum := runSpace(t, s, dir, 3, countingEval(&calls), nil)
	if sum.Evaluated != 2 || sum.Stored != 1 || calls.Load() != 2 {
		t.Errorf("%+v, %d calls; want 2 evaluated, 1 skipped", sum, calls.Load())
	}
	for _, r := range ReadAll(t, dir) {
		if !strings.Contains(string(r.Fields), `"memory.channels":8`) && !strings.Contains(string(r.Fields), `"memory.channels":4`) {
			t.Errorf("fields not the resolved values: %s", r.Fields)
		}
	}
}

func TestTruncatedLastLine(t *testing.T) {
	s := mustSpace(t, smallSpace)
	dir := t.TempDir()
	var calls atomic.Int64
	runSpace(t, s, dir, 1, countingEval(&calls), nil)
	want := storeLines(t, dir)
	path := filepath.Join(dir, ResultsFile)
	data, _ := os.ReadFile(path)
	// Cut the file inside its last line, as a crash while writing would.
	os.WriteFile(path, data[:len(data)-40], 0o644)
	var warn bytes.Buffer
	if sum := runSpace(t, s, dir, 2, countingEval(&calls), &warn); sum.Evaluated != 1 {
		t.Errorf("%+v: want the cut point evaluated again", sum)
	}
	if !strings.Contains(warn.String(), "results.jsonl: skipped a malformed record (the last line") {
		t.Errorf("no warning: %q", warn.String())
	}
	if got := storeLines(t, dir); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("store after repair differs")
	}
	// A malformed line in the middle of a shard file is skipped and named.
	shard := filepath.Join(dir, ShardFile(0, 2))
	os.WriteFile(shard, []byte(want[0]+"\n{\"hash\": 1\n"+want[1]+"\n"), 0o644)
	warn.Reset()
	if _, err := ReadDir(dir, &warn); err != nil || !strings.Contains(warn.String(), ShardFile(0, 2)+":2: skipped a malformed record") {
		t.Errorf("err %v, warning %q", err, warn.String())
	}
}

// TestShardsMergeToTheLocalRun: three shards and a merge give the bytes of
// one local run, front and pictures included.
func TestShardsMergeToTheLocalRun(t *testing.T) {
	s := mustSpace(t, smallSpace)
	local, sharded := t.TempDir(), t.TempDir()
	runSpace(t, s, local, 2, nil, nil)
	for i := 0; i < 3; i++ {
		r := &Runner{Space: s, Dir: sharded, Workers: 1, Shard: i, Shards: 3, Warn: &bytes.Buffer{}}
		if sum, err := r.Run(); err != nil || sum.Points != []int{6, 5, 5}[i] {
			t.Fatalf("shard %d: %+v %v", i, sum, err)
		}
	}
	finals := [2][]Output{}
	for i, dir := range []string{local, sharded} {
		rs, err := ReadDir(dir, &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		outs, front, err := s.Finalize(dir, rs)
		if err != nil || front.Records != 16 {
			t.Fatalf("%v %+v", err, front)
		}
		finals[i] = outs
	}
	if len(finals[0]) != 4 || len(finals[1]) != 4 {
		t.Fatalf("outputs %d and %d, want results, csv and two pictures", len(finals[0]), len(finals[1]))
	}
	for i := range finals[0] {
		a, b := finals[0][i], finals[1][i]
		if filepath.Base(a.Path) != filepath.Base(b.Path) || !bytes.Equal(a.Data, b.Data) {
			t.Errorf("%s differs between the local run and the merged shards", filepath.Base(a.Path))
		}
	}
	if !bytes.HasPrefix(finals[0][2].Data, []byte("\x89PNG")) || !bytes.HasPrefix(finals[0][3].Data, []byte("\x89PNG")) {
		t.Errorf("pictures are not PNG")
	}
}
