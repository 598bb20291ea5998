package explore

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func mustSpace(t *testing.T, text string) *Space {
	t.Helper()
	s, err := ParseSpace([]byte(text), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSpaceFields(t *testing.T) {
	for _, c := range []struct {
		name, fields string
		want         map[string][]string
	}{
		{"list", "hw.pes: [8, 16, 32]", map[string][]string{"hw.pes": {"8", "16", "32"}}},
		{"scalar", "arch: dense", map[string][]string{"arch": {"dense"}}},
		{"geometric", "model.seq_len: {from: 4096, to: 65536, times: 2}", map[string][]string{"model.seq_len": {"4096", "8192", "16384", "32768", "65536"}}},
		{"geometric stops below to", "model.seq_len: {from: 100, to: 1000, times: 3}", map[string][]string{"model.seq_len": {"100", "300", "900"}}},
		{"arithmetic int", "model.window: {from: 64, to: 256, step: 64}", map[string][]string{"model.window": {"64", "128", "192", "256"}}},
		{"arithmetic float", "hw.clock_mhz: {from: 100, to: 101, step: 0.25}", map[string][]string{"hw.clock_mhz": {"100", "100.25", "100.5", "100.75", "101"}}},
		{"float step lands on to", "energy.static_w: {from: 0.1, to: 0.3, step: 0.1}", map[string][]string{"energy.static_w": {"0.1", "0.2", "0.30000000000000004"}}},
		{"case folded", "HW.PEs: [4]", map[string][]string{"hw.pes": {"4"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := mustSpace(t, "fields:\n  "+c.fields+"\nobjectives: {latency_s: min}\n")
			got := map[string][]string{}
			for _, f := range s.Fields {
				got[f.Name] = f.Values
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestSpaceErrors(t *testing.T) {
	obj := "\nobjectives: {latency_s: min}\n"
	for _, c := range []struct{ name, text, want string }{
		{"empty file", "", "empty space"},
		{"comments only", "# nothing\n", "empty space"},
		{"no fields", "objectives: {latency_s: min}\n", "fields: empty space"},
		{"empty fields", "fields: {}" + obj, "fields: empty space"},
		{"empty list", "fields: {hw.pes: []}" + obj, "fields.hw.pes: empty list"},
		{"unknown top key", "fields: {hw.pes: [4]}\nfoo: 1" + obj, "field foo not found"},
		{"unknown field", "fields: {hw.nope: [4]}" + obj, `unknown design field "hw.nope"; known fields: arch, arith`},
		{"string range", "fields: {arch: {from: 1, to: 2, step: 1}}" + obj, "fields.arch: a range {from, to, step|times} needs a numeric field, but arch is a string"},
		{"bool range", "fields: {model.causal: {from: 0, to: 1, step: 1}}" + obj, "model.causal is a bool"},
		{"non-numeric range value", "fields: {hw.pes: {from: a, to: 8, step: 1}}" + obj, `fields.hw.pes.from = "a": want a number`},
		{"range key", "fields: {hw.pes: {from: 1, to: 8, by: 1}}" + obj, `unknown range key "by"`},
		{"step and times", "fields: {hw.pes: {from: 1, to: 8, step: 1, times: 2}}" + obj, "exactly one of step or times"},
		{"neither", "fields: {hw.pes: {from: 1, to: 8}}" + obj, "exactly one of step or times"},
		{"no to", "fields: {hw.pes: {from: 1, step: 1}}" + obj, "needs from and to"},
		{"backwards", "fields: {hw.pes: {from: 8, to: 1, step: 1}}" + obj, "to = 1 is below from = 8"},
		{"zero step", "fields: {hw.pes: {from: 1, to: 8, step: 0}}" + obj, "step = 0: must be > 0"},
		{"times 1", "fields: {hw.pes: {from: 1, to: 8, times: 1}}" + obj, "times = 1: must be > 1"},
		{"times from 0", "fields: {hw.pes: {from: 0, to: 8, times: 2}}" + obj, "must start above 0"},
		{"int field fraction", "fields: {hw.pes: {from: 1, to: 2, step: 0.5}}" + obj, "gives 1.5, but the field takes integers"},
		{"range too long", "fields: {hw.clock_mhz: {from: 1, to: 2, step: 1e-7}}" + obj, "more than 1000000 values"},
		{"too many points", "fields: {hw.pes: {from: 1, to: 1000, step: 1}, model.seq_len: {from: 1, to: 1001, step: 1}}" + obj, "the space has 1001000 points, more than 1000000: add sample"},
		{"sample n 0", "fields: {hw.pes: [4]}\nsample: {n: 0, seed: 1}" + obj, "sample.n = 0: must be in [1, 1000000]"},
		{"sample key", "fields: {hw.pes: [4]}\nsample: {n: 1, seeds: 1}" + obj, "field seeds not found"},
		{"duplicate field", "fields:\n  hw.pes: [4]\n  HW.PES: [8]" + obj, "hw.pes appears twice"},
		{"no objectives", "fields: {hw.pes: [4]}\n", "objectives: give at least one"},
		{"objective unknown", "fields: {hw.pes: [4]}\nobjectives: {speed: max}\n", `objectives: "speed" is not a numeric report key`},
		{"objective string key", "fields: {hw.pes: [4]}\nobjectives: {arch: max}\n", `"arch" is not a numeric report key`},
		{"objective sense", "fields: {hw.pes: [4]}\nobjectives: {latency_s: least}\n", `objectives.latency_s = "least": must be min or max`},
		{"power cap", "fields: {hw.pes: [4]}\nconstraints: {max_power_w: 0}" + obj, "constraints.max_power_w = 0: must be > 0"},
		{"resource name", "fields: {hw.pes: [4]}\nconstraints: {resources: {bram18: 4}}" + obj, "constraints.resources.bram18: unknown resource; allowed: bram36, dsp, ff, lut, lutram, uram"},
		{"resource limit", "fields: {hw.pes: [4]}\nconstraints: {resources: {dsp: -1}}" + obj, "constraints.resources.dsp = -1: must be > 0"},
		{"base missing", "base: nowhere.yaml\nfields: {hw.pes: [4]}" + obj, "base: stat"},
		{"not yaml", "fields: [", "not a valid space file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSpace([]byte(c.text), t.TempDir())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestSpaceSampleAllowsHugeProducts(t *testing.T) {
	s := mustSpace(t, "fields: {hw.pes: {from: 1, to: 1000, step: 1}, model.seq_len: {from: 1, to: 1000000, step: 1}}\nsample: {n: 50, seed: 7}\nobjectives: {latency_s: min}\n")
	idx := s.Indices()
	if len(idx) != 50 || s.Size() != 1e9 {
		t.Fatalf("%d indices of %d points, want 50 of 1e9", len(idx), s.Size())
	}
}

func TestSpaceCanonicalBase(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "b.yaml"), []byte("model: {seq_len: 256}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := ParseSpace([]byte("base: b.yaml\nfields: {hw.pes: [4]}\nobjectives: {latency_s: min}\n"), dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.Base != filepath.Join(dir, "b.yaml") || !strings.Contains(string(s.Canonical), "base: "+s.Base) {
		t.Errorf("base %q, canonical:\n%s", s.Base, s.Canonical)
	}
	again, err := ParseSpace(s.Canonical, "/elsewhere")
	if err != nil || string(again.Canonical) != string(s.Canonical) {
		t.Errorf("canonical space does not reparse to itself: %v", err)
	}
}
