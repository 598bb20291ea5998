package lm

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/traces"
)

// modelCopy links every file of the model into a fresh folder, except
// meta.json, which it copies so tests may edit it.
func modelCopy(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ents, err := os.ReadDir(modelDir)
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(modelDir)
	for _, e := range ents {
		if e.Name() == "meta.json" {
			b, err := os.ReadFile(filepath.Join(modelDir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.Symlink(filepath.Join(abs, e.Name()), filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// editMeta rewrites meta.json's field key with value.
func editMeta(t *testing.T, dir, key string, value any) {
	t.Helper()
	path := filepath.Join(dir, "meta.json")
	b, _ := os.ReadFile(path)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m[key] = value
	b, _ = json.Marshal(m)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadRejectsBadModels(t *testing.T) {
	cases := []struct {
		name  string
		spoil func(t *testing.T, dir string)
		want  []string
	}{
		{"missing tensor", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "blocks.2.fc1.bias.npy")) },
			[]string{"blocks.2.fc1.bias", "missing", "[1024]"}},
		{"misshaped tensor", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "blocks.1.o.weight.npy")
			os.Remove(p)
			if err := traces.WriteArray(p, []int{256, 128}, make([]float64, 256*128), "float32"); err != nil {
				t.Fatal(err)
			}
		}, []string{"blocks.1.o.weight", "[256 128]", "want [256 256]"}},
		{"unsupported architecture", func(t *testing.T, dir string) {
			editMeta(t, dir, "architecture", "byte-level decoder with RMSNorm and SwiGLU")
		}, []string{"architecture: unsupported"}},
		{"heads and d_model disagree", func(t *testing.T, dir string) { editMeta(t, dir, "heads", 3) },
			[]string{"d_model = 256: must equal heads x head_dim = 192"}},
		{"kv_heads not dividing heads", func(t *testing.T, dir string) { editMeta(t, dir, "kv_heads", 3) },
			[]string{"kv_heads = 3"}},
		{"no meta.json", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "meta.json")) },
			[]string{"meta.json"}},
	}
	for _, tc := range cases {
		dir := modelCopy(t)
		tc.spoil(t, dir)
		_, err := Load(dir)
		if err == nil {
			t.Errorf("%s: loaded", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", tc.name, err, w)
			}
		}
	}
}

func TestCheckTextLength(t *testing.T) {
	m := loadModel(t)
	for _, n := range []int{0, 1, m.Meta.Context + 2} {
		if err := m.CheckText(make([]byte, n)); err == nil || !strings.Contains(err.Error(), "text:") {
			t.Errorf("%d bytes: error %v", n, err)
		}
	}
	for _, n := range []int{2, m.Meta.Context + 1} {
		if err := m.CheckText(make([]byte, n)); err != nil {
			t.Errorf("%d bytes: %v", n, err)
		}
	}
}
