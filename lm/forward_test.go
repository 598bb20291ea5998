package lm

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

const modelDir = "../../shared/models/tinylm-s"

func loadModel(t testing.TB) *Model {
	t.Helper()
	m, err := Load(modelDir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func readText(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(modelDir, name+".bin"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestForwardReproducesPyTorch checks the float64 forward pass against the
// PyTorch float64 figures in meta.json: bits per byte and the first 16
// per-byte losses of each text, within 1e-9.
func TestForwardReproducesPyTorch(t *testing.T) {
	m := loadModel(t)
	for _, name := range []string{"text0", "text1"} {
		ref, ok := m.Meta.Reference[name]
		if !ok || len(ref.LossFirst16) != 16 {
			t.Fatalf("meta.json has no reference for %s", name)
		}
		f, err := m.Forward(readText(t, name), FullAttention())
		if err != nil {
			t.Fatal(err)
		}
		worst := 0.0
		for i, want := range ref.LossFirst16 {
			worst = math.Max(worst, math.Abs(f.Losses[i]-want))
		}
		t.Logf("%s: bits/byte %.15f (PyTorch float64 %.15f, diff %.2g); first 16 losses within %.2g",
			name, BitsPerByte(f.Losses), ref.BitsPerByteF64, BitsPerByte(f.Losses)-ref.BitsPerByteF64, worst)
		if got := BitsPerByte(f.Losses); math.Abs(got-ref.BitsPerByteF64) > 1e-9 {
			t.Errorf("%s: bits per byte %.15f, PyTorch %.15f (diff %.3g)", name, got, ref.BitsPerByteF64, got-ref.BitsPerByteF64)
		}
		if got := Mean(f.Losses); math.Abs(got-ref.LossMean) > 1e-9 {
			t.Errorf("%s: mean loss %.15f, PyTorch %.15f", name, got, ref.LossMean)
		}
		for i, want := range ref.LossFirst16 {
			if d := math.Abs(f.Losses[i] - want); d > 1e-9 {
				t.Errorf("%s byte %d: loss %.15f, PyTorch %.15f (diff %.3g)", name, i, f.Losses[i], want, d)
			}
		}
	}
}
