package traces

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npy"

	"github.com/swatsim/swatsim/reference"
)

// rawNpy builds a version 1.0 .npy stream from a header dict and data.
func rawNpy(hdr string, data []byte) []byte {
	b := append([]byte("\x93NUMPY\x01\x00"), 0, 0)
	binary.LittleEndian.PutUint16(b[8:], uint16(len(hdr)))
	return append(append(b, hdr...), data...)
}

// encode is WriteArray into memory.
func encode(t testing.TB, shape []int, data []float64, dtype string) []byte {
	t.Helper()
	dt, err := checkOutput(Output{Shape: shape, Data: data, DType: dtype})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := writeHeader(&buf, dt, shape); err != nil {
		t.Fatal(err)
	}
	if err := writeData(&buf, dt, data); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sampleData returns n values exactly representable in dtype, spanning its
// range, including negative values and zero.
func sampleData(n int, dtype string) []float64 {
	x := make([]float64, n)
	for i := range x {
		k := float64(i*7919%2001 - 1000) // -1000..1000
		switch dtype {
		case "float64":
			x[i] = k*math.Pi*1e-3 + math.Ldexp(1, -40)*float64(i)
		case "float32":
			x[i] = float64(float32(k * math.E * 1e-2))
		case "float16":
			x[i] = reference.Float16ToFloat64(uint16(i * 2654435761 % 0x7c00)) // finite codes
			if i%2 == 1 {
				x[i] = -x[i]
			}
		case "int8":
			x[i] = float64(int(k) % 128)
		case "int16":
			x[i] = k * 32
		case "int32":
			x[i] = k * 2e6
		}
	}
	return x
}

func TestRoundTripEveryDTypeAndRank(t *testing.T) {
	dir := t.TempDir()
	shapes := [][]int{{7}, {3, 5}, {2, 3, 4}, {2, 1, 3, 5}, {0}, {2, 0, 3}}
	for _, dt := range DTypes() {
		for _, shape := range shapes {
			name := fmt.Sprintf("%s_%v", dt, shape)
			t.Run(name, func(t *testing.T) {
				n, _ := elements(shape, math.MaxInt64)
				data := sampleData(int(n), dt)
				path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".npy")
				if err := WriteArray(path, shape, data, dt); err != nil {
					t.Fatal(err)
				}
				a, err := ReadArray(path)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(a.Shape, shape) || a.DType != dt {
					t.Fatalf("read shape %v dtype %s, wrote %v %s", a.Shape, a.DType, shape, dt)
				}
				for i := range data {
					if math.Float64bits(a.Data[i]) != math.Float64bits(data[i]) {
						t.Fatalf("element %d: read %v, wrote %v", i, a.Data[i], data[i])
					}
				}
				raw, _ := os.ReadFile(path)
				hlen := int(binary.LittleEndian.Uint16(raw[8:]))
				if (10+hlen)%64 != 0 || raw[10+hlen-1] != '\n' {
					t.Errorf("header of %d bytes is not padded to 64 with a final newline", hlen)
				}
			})
		}
	}
}

// TestNpyioAgrees reads our files with npyio and golden files with both.
func TestNpyioAgrees(t *testing.T) {
	dir := t.TempDir()
	check := func(path string, want []float64, read func(r *npy.Reader) ([]float64, error)) {
		t.Helper()
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r, err := npy.NewReader(bufio.NewReader(f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := read(r)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: npyio reads %v..., we read %v...", path, got[:min(4, len(got))], want[:min(4, len(want))])
		}
	}
	conv := func(r *npy.Reader, dt string) ([]float64, error) {
		var out []float64
		var err error
		switch dt {
		case "float64":
			err = r.Read(&out)
		case "float32":
			var x []float32
			err = r.Read(&x)
			for _, v := range x {
				out = append(out, float64(v))
			}
		case "int8":
			var x []int8
			err = r.Read(&x)
			for _, v := range x {
				out = append(out, float64(v))
			}
		case "int16":
			var x []int16
			err = r.Read(&x)
			for _, v := range x {
				out = append(out, float64(v))
			}
		case "int32":
			var x []int32
			err = r.Read(&x)
			for _, v := range x {
				out = append(out, float64(v))
			}
		}
		return out, err
	}
	for _, dt := range []string{"float64", "float32", "int8", "int16", "int32"} {
		shape := []int{2, 3, 4}
		data := sampleData(24, dt)
		path := filepath.Join(dir, dt+".npy")
		if err := WriteArray(path, shape, data, dt); err != nil {
			t.Fatal(err)
		}
		check(path, data, func(r *npy.Reader) ([]float64, error) {
			if !slices.Equal(r.Header.Descr.Shape, shape) {
				return nil, fmt.Errorf("npyio reads shape %v, want %v", r.Header.Descr.Shape, shape)
			}
			return conv(r, dt)
		})
	}
	golden, _ := filepath.Glob("../testdata/golden/*.npy")
	for _, path := range golden {
		a, err := ReadArray(path)
		if err != nil {
			t.Fatal(err)
		}
		check(path, a.Data, func(r *npy.Reader) ([]float64, error) { return conv(r, "float64") })
	}
}

func TestReadGolden(t *testing.T) {
	paths, _ := filepath.Glob("../testdata/golden/*.npy")
	if len(paths) != 16 {
		t.Fatalf("%d golden .npy files, want 16", len(paths))
	}
	for _, path := range paths {
		tt, err := ReadTensor(path)
		if err != nil {
			t.Fatal(err)
		}
		var n, d int
		fmt.Sscanf(filepath.Base(path), "n%d_d%d", &n, &d)
		if tt.Rank != 2 || tt.N != n || tt.D != d || len(tt.Data) != n*d {
			t.Errorf("%s: tensor %v, want [%d %d]", path, tt.Shape(), n, d)
		}
		if err := tt.CheckFinite(path); err != nil {
			t.Error(err)
		}
	}
}

func TestReadFloat16Codes(t *testing.T) {
	codes := []uint16{0x3c00, 0xc000, 0x0001, 0x8001, 0x03ff, 0x0400, 0x7bff, 0xfbff, 0x0000, 0x8000, 0x3555, 0x7c00, 0xfc00}
	want := []float64{1, -2, math.Ldexp(1, -24), -math.Ldexp(1, -24), math.Ldexp(1023, -24), math.Ldexp(1, -14),
		65504, -65504, 0, math.Copysign(0, -1), math.Ldexp(1024+0x155, -12), math.Inf(1), math.Inf(-1)}
	var data []byte
	for _, c := range codes {
		data = binary.LittleEndian.AppendUint16(data, c)
	}
	raw := rawNpy(fmt.Sprintf("{'descr': '<f2', 'fortran_order': False, 'shape': (%d,), }\n", len(codes)), data)
	a, err := decode(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if math.Float64bits(a.Data[i]) != math.Float64bits(want[i]) {
			t.Errorf("code %#04x: read %v, want %v", codes[i], a.Data[i], want[i])
		}
	}
	// And back: WriteArray writes the same codes.
	path := filepath.Join(t.TempDir(), "h.npy")
	if err := WriteArray(path, []int{len(want)}, want, "float16"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if got := b[len(b)-len(data):]; !bytes.Equal(got, data) {
		t.Errorf("float16 codes written % x, want % x", got, data)
	}
}

// TestReadFloat16Generated writes a [H,N,D] float16 trace and reads it as
// a tensor; values are rounded to the nearest binary16.
func TestReadFloat16Generated(t *testing.T) {
	p := SynthParams{Seed: 3, Heads: 2, Tokens: 33, HeadDim: 8, QueryMean: 1, OutlierScale: 1, RoPEBase: 10000, RoPE: true}
	q, _, _, err := Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "q16.npy")
	if err := WriteArray(path, q.Shape(), q.Data, "float16"); err != nil {
		t.Fatal(err)
	}
	got, err := ReadTensor(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Shape(), q.Shape()) || got.Rank != 3 {
		t.Fatalf("shape %v rank %d, want %v", got.Shape(), got.Rank, q.Shape())
	}
	for i, x := range q.Data {
		if y := got.Data[i]; math.Abs(y-x) > math.Abs(x)*math.Ldexp(1, -11)+math.Ldexp(1, -25) {
			t.Fatalf("element %d: %v read back as %v, beyond half a float16 ulp", i, x, y)
		}
	}
}

// tinyLMPath finds the shared real trace, if this machine has it.
func tinyLMPath() string {
	for _, p := range []string{"/work/shared/traces/tinylm_q.npy", "../../shared/traces/tinylm_q.npy"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

func TestReadTinyLMTrace(t *testing.T) {
	path := tinyLMPath()
	if path == "" {
		t.Skip("tinylm trace not present")
	}
	a, err := ReadArray(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Shape, []int{2, 8, 4096, 64}) || a.DType != "float16" {
		t.Fatalf("shape %v %s, want [2 8 4096 64] float16", a.Shape, a.DType)
	}
	// The first rows, decoded straight from the bytes after the header.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	off := 10 + int(binary.LittleEndian.Uint16(raw[8:]))
	for i := 0; i < 4*64; i++ {
		want := reference.Float16ToFloat64(binary.LittleEndian.Uint16(raw[off+2*i:]))
		if a.Data[i] != want {
			t.Fatalf("element %d: %v, want %v", i, a.Data[i], want)
		}
	}
	for l := 0; l < 2; l++ {
		tt, err := a.Layer(l)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(tt.Shape(), []int{8, 4096, 64}) {
			t.Fatalf("layer %d shape %v", l, tt.Shape())
		}
		if err := tt.CheckFinite("tinylm"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Layer(2); err == nil || !strings.Contains(err.Error(), "allowed 0 to 1") {
		t.Errorf("Layer(2): %v, want an error naming the range 0 to 1", err)
	}
	if _, err := ReadTensor(path); err == nil || !strings.Contains(err.Error(), "[L,H,N,D]") {
		t.Errorf("ReadTensor of a rank-4 trace: %v, want an error", err)
	}
}

func TestTensorAndLayerErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, shape []int) string {
		path := filepath.Join(dir, name)
		n, _ := elements(shape, math.MaxInt64)
		if err := WriteArray(path, shape, make([]float64, n), "float32"); err != nil {
			t.Fatal(err)
		}
		return path
	}
	r1 := write("r1.npy", []int{5})
	r4 := write("r4.npy", []int{3, 2, 4, 2})
	z := write("z.npy", []int{0, 4})
	for _, c := range []struct {
		name string
		f    func() error
		want []string
	}{
		{"rank1", func() error { _, err := ReadTensor(r1); return err }, []string{r1, "[5]", "rank 2 [N,D] or rank 3 [H,N,D]"}},
		{"empty", func() error { _, err := ReadTensor(z); return err }, []string{z, "[0 4]", ">= 1"}},
		{"rank4", func() error { _, err := ReadTensor(r4); return err }, []string{r4, "[3 2 4 2]", "layer"}},
		{"layer-rank1", func() error {
			a, _ := ReadArray(r1)
			_, err := a.Layer(0)
			return err
		}, []string{r1, "rank-4 [L,H,N,D]"}},
		{"layer-range", func() error {
			a, _ := ReadArray(r4)
			_, err := a.Layer(3)
			return err
		}, []string{r4, "layer 3", "allowed 0 to 2"}},
		{"layer-negative", func() error {
			a, _ := ReadArray(r4)
			_, err := a.Layer(-1)
			return err
		}, []string{"layer -1", "allowed 0 to 2"}},
	} {
		err := c.f()
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", c.name, err, w)
			}
		}
	}
	a, _ := ReadArray(r4)
	l1, err := a.Layer(1)
	if err != nil || l1.H != 2 || l1.N != 4 || l1.D != 2 || &l1.Data[0] != &a.Data[16] {
		t.Errorf("Layer(1) = %+v, %v: want [2 4 2] sharing elements 16..31", l1, err)
	}
}

func TestReadMalformed(t *testing.T) {
	hdr := func(descr, order, shape string) string {
		return fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }\n", descr, order, shape)
	}
	f8 := func(n int) []byte { return make([]byte, 8*n) }
	v2 := append([]byte("\x93NUMPY\x02\x00"), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(v2[8:], 0xfffffff0)
	for _, c := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "shorter than the 10-byte preamble"},
		{"short", []byte("\x93NUM"), "shorter than the 10-byte preamble"},
		{"magic", rawNpy(hdr("<f8", "False", "(1,)"), f8(1))[1:], "not a .npy file"},
		{"magic2", append([]byte("PK\x03\x04npz......"), f8(4)...), "not a .npy file"},
		{"version", append([]byte("\x93NUMPY\x04\x00\x10\x00"), f8(4)...), "version 4.0"},
		{"header-len", append([]byte("\x93NUMPY\x01\x00\xff\x7f"), []byte("{'descr'")...), "truncated .npy header"},
		{"header-len-v2", v2, "truncated .npy header"},
		{"header-cut", rawNpy("{'descr': '<f8', 'fortran_order': False, 'sha", nil), "malformed .npy header"},
		{"header-no-brace", rawNpy("'descr': '<f8'\n", nil), "malformed .npy header"},
		{"header-garbage", rawNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), } junk\n", f8(1)), "after '}'"},
		{"missing-shape", rawNpy("{'descr': '<f8', 'fortran_order': False}\n", f8(1)), "'shape' is missing"},
		{"dup-key", rawNpy("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}\n", f8(1)), "twice"},
		{"extra-key", rawNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}\n", f8(1)), "unexpected key"},
		{"order-value", rawNpy(hdr("<f8", "0", "(1,)"), f8(1)), "True or False"},
		{"dtype", rawNpy(hdr("<c16", "False", "(1,)"), make([]byte, 16)), `dtype "<c16": not supported`},
		{"dtype-bool", rawNpy(hdr("|b1", "False", "(1,)"), make([]byte, 1)), "not supported"},
		{"big-endian", rawNpy(hdr(">f8", "False", "(1,)"), f8(1)), "big-endian"},
		{"structured", rawNpy("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }\n", f8(1)), "structured"},
		{"fortran", rawNpy(hdr("<f8", "True", "(2, 2)"), f8(4)), "Fortran-order"},
		{"negative", rawNpy(hdr("<f8", "False", "(-2, 2)"), f8(4)), "negative"},
		{"overflow-entry", rawNpy(hdr("<f8", "False", "(99999999999999999999,)"), f8(1)), "out of range"},
		{"overflow-product", rawNpy(hdr("<f8", "False", "(4294967296, 4294967296, 4294967296)"), f8(1)), "overflows 64 bits"},
		{"huge", rawNpy(hdr("<f2", "False", "(1000000, 1000000)"), f8(2)), "needs 2000000000000 bytes, the file has 16"},
		{"not-int", rawNpy(hdr("<f8", "False", "(2.5,)"), f8(1)), "malformed"},
		{"rank0", rawNpy(hdr("<f8", "False", "()"), f8(1)), "rank 0"},
		{"rank5", rawNpy(hdr("<f8", "False", "(1, 1, 1, 1, 1)"), f8(1)), "ranks are 1 to 4"},
		{"rank9", rawNpy(hdr("<f8", "False", "(1, 1, 1, 1, 1, 1, 1, 1, 1)"), f8(1)), "more than 4"},
		{"truncated-data", rawNpy(hdr("<f8", "False", "(3, 4)"), f8(11)), "truncated data"},
		{"truncated-f16", rawNpy(hdr("<f2", "False", "(3,)"), make([]byte, 5)), "truncated data"},
		{"extra-data", rawNpy(hdr("<i4", "False", "(3,)"), make([]byte, 13)), "1 extra"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := decode(bytes.NewReader(c.b), int64(len(c.b)))
			if err == nil {
				t.Fatalf("no error; read %v %s", a.Shape, a.DType)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
	// Through the file API the error names the file.
	path := filepath.Join(t.TempDir(), "bad.npy")
	os.WriteFile(path, []byte("hello, world"), 0o644)
	if _, err := ReadArray(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("ReadArray(%s): %v, want an error naming the file", path, err)
	}
	if _, err := ReadArray(filepath.Join(t.TempDir(), "missing.npy")); err == nil {
		t.Error("missing file: no error")
	}
}

// TestReadLenientHeaders accepts what numpy and other writers produce:
// no trailing comma (which npyio v0.14.0 misreads as a scalar), any key
// order, version 2.0, Python 2 longs, one-byte '<i1', Fortran order of a
// vector.
func TestReadLenientHeaders(t *testing.T) {
	d := make([]byte, 24)
	for i := range 3 {
		binary.LittleEndian.PutUint64(d[8*i:], math.Float64bits(float64(i+1)))
	}
	v2 := func(h string, data []byte) []byte {
		b := append([]byte("\x93NUMPY\x02\x00"), 0, 0, 0, 0)
		binary.LittleEndian.PutUint32(b[8:], uint32(len(h)))
		return append(append(b, h...), data...)
	}
	for _, c := range []struct {
		name string
		b    []byte
	}{
		{"no-trailing-comma", rawNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}\n", d)},
		{"key-order", rawNpy(`{"shape": (3L,), "fortran_order": False, "descr": "<f8"}`+"   \n", d)},
		{"v2", v2("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }\n", d)},
		{"fortran-vector", rawNpy("{'descr': '<f8', 'fortran_order': True, 'shape': (3,), }\n", d)},
	} {
		a, err := decode(bytes.NewReader(c.b), int64(len(c.b)))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !slices.Equal(a.Shape, []int{3}) || !slices.Equal(a.Data, []float64{1, 2, 3}) {
			t.Errorf("%s: read %v %v", c.name, a.Shape, a.Data)
		}
	}
	b := rawNpy("{'descr': '<i1', 'fortran_order': False, 'shape': (2,), }\n", []byte{0xff, 0x7f})
	if a, err := decode(bytes.NewReader(b), int64(len(b))); err != nil || !slices.Equal(a.Data, []float64{-1, 127}) {
		t.Errorf("<i1: %v %v", a, err)
	}
}

func TestWriteChecks(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name  string
		shape []int
		data  []float64
		dtype string
		want  string
	}{
		{"dtype", []int{1}, []float64{1}, "float8", `dtype "float8": not supported; allowed: float64, float32, float16, int8, int16, int32`},
		{"rank0", []int{}, []float64{1}, "float64", "rank 0"},
		{"rank5", []int{1, 1, 1, 1, 1}, []float64{1}, "float64", "rank 5"},
		{"negative", []int{-1, 2}, []float64{1}, "float64", "negative"},
		{"mismatch", []int{2, 3}, make([]float64, 5), "float64", "does not match the data: 5 elements"},
		{"int8-high", []int{2}, []float64{1, 127.5}, "int8", "element 1 = 127.5: out of int8 range [-128, 127]"},
		{"int8-low", []int{1}, []float64{-129}, "int8", "out of int8 range"},
		{"int16", []int{1}, []float64{40000}, "int16", "out of int16 range [-32768, 32767]"},
		{"int32", []int{1}, []float64{3e9}, "int32", "out of int32 range"},
		{"int-nan", []int{1}, []float64{math.NaN()}, "int32", "NaN"},
		{"int-inf", []int{1}, []float64{math.Inf(1)}, "int16", "+Inf"},
		{"float16", []int{3}, []float64{0, 1, 65520}, "float16", "element 2 = 65520: out of float16 range"},
		{"float32", []int{1}, []float64{1e39}, "float32", "out of float32 range"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.name+".npy")
			err := WriteArray(path, c.shape, c.data, c.dtype)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("error %v, want one naming %s and %q", err, path, c.want)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("output exists after the error")
			}
		})
	}
	if err := WriteTensor(filepath.Join(dir, "nil.npy"), nil); err == nil {
		t.Error("nil tensor: no error")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left behind: %v", ents)
	}
	// Values that float types can hold pass: 65504 (largest float16) and
	// non-finite values; integers round half to even.
	path := filepath.Join(dir, "ok.npy")
	if err := WriteArray(path, []int{4}, []float64{65504, 65519, math.Inf(-1), math.NaN()}, "float16"); err != nil {
		t.Error(err)
	}
	if err := WriteArray(path, []int{6}, []float64{0.5, 1.5, 2.5, -2.5, 127.49, -128.5}, "int8"); err != nil {
		t.Fatal(err)
	}
	a, err := ReadArray(path)
	if err != nil || !slices.Equal(a.Data, []float64{0, 2, 2, -2, 127, -128}) {
		t.Errorf("int8 half-even rounding: read %v, %v", a, err)
	}
}

// TestFloat16Threshold: the range check agrees with the conversion.
func TestFloat16Threshold(t *testing.T) {
	if h := reference.Float16FromFloat64(float16MaxRound); h != reference.Float16Inf {
		t.Errorf("%v converts to %#04x, want infinity", float16MaxRound, h)
	}
	below := math.Nextafter(float16MaxRound, 0)
	if h := reference.Float16FromFloat64(-below); h != 0xfbff {
		t.Errorf("%v converts to %#04x, want -65504", -below, h)
	}
}

func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	q := filepath.Join(dir, "q.npy")
	old := encode(t, []int{1}, []float64{42}, "float64")
	os.WriteFile(q, old, 0o644)
	// The second output fails its check: nothing is written, q keeps its
	// old contents.
	err := WriteAll(
		Output{Path: q, Shape: []int{2}, Data: []float64{1, 2}, DType: "float64"},
		Output{Path: filepath.Join(dir, "k.npy"), Shape: []int{1}, Data: []float64{1e6}, DType: "float16"},
	)
	if err == nil {
		t.Fatal("no error")
	}
	if b, _ := os.ReadFile(q); !bytes.Equal(b, old) {
		t.Error("q.npy changed by a failed WriteAll")
	}
	// A directory that does not exist.
	if err := WriteArray(filepath.Join(dir, "no", "o.npy"), []int{1}, []float64{1}, "float64"); err == nil {
		t.Error("missing directory: no error")
	}
	// A target that is a directory: the rename fails, the temp file goes.
	os.Mkdir(filepath.Join(dir, "d.npy"), 0o755)
	if err := WriteArray(filepath.Join(dir, "d.npy"), []int{1}, []float64{1}, "float64"); err == nil {
		t.Error("directory target: no error")
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"d.npy", "q.npy"}) {
		t.Errorf("directory holds %v, want [d.npy q.npy]", names)
	}
	// Success replaces the file.
	if err := WriteArray(q, []int{2}, []float64{1, 2}, "float64"); err != nil {
		t.Fatal(err)
	}
	if a, err := ReadArray(q); err != nil || !slices.Equal(a.Data, []float64{1, 2}) {
		t.Errorf("after overwrite: %v %v", a, err)
	}
	if st, _ := os.Stat(q); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
}

func BenchmarkReadTensor(b *testing.B) {
	shape := []int{8, 4096, 64} // one layer of the tinylm trace: 4 MiB of float16
	data := sampleData(8*4096*64, "float16")
	path := filepath.Join(b.TempDir(), "q16.npy")
	if err := WriteArray(path, shape, data, "float16"); err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ResetTimer()
	for b.Loop() {
		if _, err := ReadTensor(path); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteArrayFloat16(b *testing.B) {
	data := sampleData(8*4096*64, "float16")
	path := filepath.Join(b.TempDir(), "q16.npy")
	b.SetBytes(int64(2 * len(data)))
	for b.Loop() {
		if err := WriteArray(path, []int{8, 4096, 64}, data, "float16"); err != nil {
			b.Fatal(err)
		}
	}
}
