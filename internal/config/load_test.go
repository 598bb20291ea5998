package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type testInner struct {
	N    int      `mapstructure:"n"`
	F    float64  `mapstructure:"f"`
	B    bool     `mapstructure:"b"`
	S    string   `mapstructure:"s"`
	U8   uint8    `mapstructure:"u8"`
	List []int    `mapstructure:"list"`
	Tags []string `mapstructure:"tags"`
}

type testConfig struct {
	Name  string    `mapstructure:"name"`
	Inner testInner `mapstructure:"inner"`
}

const testDefaults = `
name: base
inner:
  n: 1
  f: 0.5
  b: false
  s: x
  u8: 7
  list: [1, 2]
  tags: [a]
`

var testSchema = MustSchema("test config", []byte(testDefaults), testConfig{})

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLoadRefuses pins every rejected input: the same value is refused
// alike from a file and from --set.
func TestLoadRefuses(t *testing.T) {
	cases := []struct {
		file string   // YAML body ("" none)
		sets []string // --set
		want string   // fragment of the error
	}{
		{file: "inner:\n  n: 2.5\n", want: "inner.n = 2.5 (from c.yaml line 2): must be an integer"},
		{sets: []string{"inner.n=2.5"}, want: "inner.n = 2.5 (from --set): must be an integer"},
		{sets: []string{"inner.n=1e3"}, want: "inner.n = 1e3 (from --set): must be an integer"},
		{file: "inner:\n  n: 1e3\n", want: "inner.n = 1e3 (from c.yaml line 2): must be an integer"},
		{sets: []string{"inner.n=abc"}, want: `inner.n = "abc" (from --set): must be an integer`},
		{sets: []string{"inner.n="}, want: "needs a value"},
		{file: "inner: 5\n", want: "inner = 5 (from c.yaml line 1): must be a map with keys b, f, list, n, s, tags, u8"},
		{file: "inner:\n  b: yes\n", want: `inner.b = "yes" (from c.yaml line 2): must be true or false`},
		{sets: []string{"inner.b=yes"}, want: `inner.b = "yes" (from --set): must be true or false`},
		{sets: []string{"inner.b=1"}, want: "must be true or false"},
		{file: "inner:\n  f: .nan\n", want: "inner.f = .nan (from c.yaml line 2): must be a finite number"},
		{sets: []string{"inner.f=NaN"}, want: `inner.f = "NaN" (from --set): must be a finite number`},
		{sets: []string{"inner.f=-Inf"}, want: "must be a finite number"},
		{sets: []string{"inner.f=1e999"}, want: "must be a finite number"},
		{sets: []string{"inner.f=fast"}, want: "must be a finite number"},
		{sets: []string{"inner.u8=300"}, want: "must be an integer in [0, 255]"},
		{sets: []string{"inner.u8=-1"}, want: "must be an integer in [0, 255]"},
		{file: "inner:\n  list: 3\n", want: "inner.list = 3 (from c.yaml line 2): must be a list, each element an integer"},
		{file: "inner:\n  list: [1, 2.5]\n", want: "inner.list[1] = 2.5 (from c.yaml line 2): must be an integer"},
		{file: "inner:\n  n: 1\n---\ninner:\n  n: 2\n", want: "a second YAML document starts at line 3"},
		{file: "inner:\n  n: 1\n  n: 2\n", want: "key inner.n is given twice"},
		{file: "inner:\n  m: 1\n", want: `unknown key "inner.m"; known keys here: inner.b, inner.f`},
		{file: "- a\n", want: "the top level must be a map"},
		{file: "inner: [\n", want: "not valid YAML"},
		{sets: []string{"inner"}, want: `--set "inner": want key=value`},
		{sets: []string{"inner=3"}, want: "inner is a group of keys; set one of inner.b"},
		{sets: []string{"nope=3"}, want: "--set nope: unknown key; known keys: inner, name"},
		{sets: []string{"inner.n.x=3"}, want: "inner.n is not a group of keys"},
	}
	for _, c := range cases {
		l := Layers{Sets: c.sets}
		if c.file != "" {
			l.File = writeFile(t, c.file)
		}
		var got testConfig
		err := testSchema.Load(l, &got)
		msg := ""
		if err != nil {
			msg = strings.ReplaceAll(err.Error(), filepath.Dir(l.File)+"/", "")
		}
		if err == nil || !strings.Contains(msg, c.want) {
			t.Errorf("file %q sets %q: error %v; want it to contain %q", c.file, c.sets, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("file %q sets %q: error spans lines: %q", c.file, c.sets, err)
		}
	}
}

// TestLoadLayers checks the order of the layers and that a file and --set
// give the same values.
func TestLoadLayers(t *testing.T) {
	file := writeFile(t, "name: fromfile\ninner:\n  n: 3\n  f: 2\n  b: true\n  s: 12\n  list: [4]\n")
	t.Setenv("SWATSIM_INNER_U8", "9")
	t.Setenv("SWATSIM_INNER_N", "4")
	var got testConfig
	err := testSchema.Load(Layers{File: file, Env: true, Pre: []string{"inner.n=99", "inner.s=pre", "name=pre"},
		Sets: []string{"name=set", "inner.tags=[p, q]"}}, &got)
	if err != nil {
		t.Fatal(err)
	}
	want := testConfig{Name: "set", Inner: testInner{N: 4, F: 2, B: true, S: "12", U8: 9, List: []int{4}, Tags: []string{"p", "q"}}}
	if !equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	var viaSet testConfig
	err = testSchema.Load(Layers{Sets: []string{"name=fromfile", "inner.n=3", "inner.f=2", "inner.b=true", "inner.s=12", "inner.list=[4]"}}, &viaSet)
	if err != nil {
		t.Fatal(err)
	}
	var viaFile testConfig
	if err := testSchema.Load(Layers{File: file}, &viaFile); err != nil {
		t.Fatal(err)
	}
	if !equal(viaSet, viaFile) {
		t.Errorf("--set gives %+v, the file %+v", viaSet, viaFile)
	}
	var pre testConfig
	if err := testSchema.Load(Layers{Pre: []string{"inner.n=99"}}, &pre); err != nil || pre.Inner.N != 99 {
		t.Errorf("pre without an explicit setting: n = %d, %v; want 99", pre.Inner.N, err)
	}
}

func equal(a, b testConfig) bool {
	return strings.Join(strings.Fields(strings.ReplaceAll(sprint(a), ",", " ")), " ") == strings.Join(strings.Fields(strings.ReplaceAll(sprint(b), ",", " ")), " ")
}

func TestUnknownEnv(t *testing.T) {
	t.Setenv("SWATSIM_INNER_NN", "1")
	t.Setenv("SWATSIM_INNER_N", "1")
	t.Setenv("SWATSIM_CACHE_DIR", "/tmp")
	got := UnknownEnv()
	found := false
	for _, n := range got {
		if n == "SWATSIM_INNER_N" || n == "SWATSIM_CACHE_DIR" {
			t.Errorf("%s names a key (or is reserved) but is reported unknown", n)
		}
		found = found || n == "SWATSIM_INNER_NN"
	}
	if !found {
		t.Errorf("UnknownEnv() = %v; want SWATSIM_INNER_NN in it", got)
	}
}

func TestCheckFinite(t *testing.T) {
	type deep struct {
		M map[string]float64 `mapstructure:"m"`
		S []float32          `mapstructure:"s"`
	}
	type outer struct {
		D deep `mapstructure:"d"`
	}
	inf := float32(1)
	inf = inf / 0 * 1
	cases := []struct {
		v    any
		want string
	}{
		{outer{D: deep{M: map[string]float64{"a": 1, "b": nan()}}}, "d.m.b = NaN"},
		{&outer{D: deep{S: []float32{1, inf}}}, "d.s[1] = +Inf"},
		{outer{}, ""},
	}
	for _, c := range cases {
		err := CheckFinite(c.v)
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("CheckFinite(%+v) = %v; want %q", c.v, err, c.want)
		}
	}
}
