package traces

import (
	"bytes"
	"math"
	"testing"
)

// FuzzReadNpy feeds arbitrary bytes to the .npy reader: it must never
// panic, and whatever it accepts must be consistent and survive a
// write-read round trip in its own dtype.
func FuzzReadNpy(f *testing.F) {
	for _, dt := range DTypes() {
		for _, shape := range [][]int{{3}, {2, 3}, {2, 1, 2}, {1, 2, 1, 2}} {
			n, _ := elements(shape, math.MaxInt64)
			f.Add(encode(f, shape, sampleData(int(n), dt), dt))
		}
	}
	f.Add(rawNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)}\n", make([]byte, 16)))
	f.Add(rawNpy("{'descr': '<f2', 'fortran_order': False, 'shape': (1000000, 1000000), }\n", make([]byte, 4)))
	f.Add(rawNpy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }\n", make([]byte, 32)))
	f.Add([]byte("\x93NUMPY\x02\x00\xff\xff\xff\xff{"))
	f.Add([]byte("\x93NUMPY\x01\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := decode(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if a != nil {
				t.Fatal("an array and an error")
			}
			return
		}
		n, ok := elements(a.Shape, math.MaxInt64)
		if !ok || n != int64(len(a.Data)) || len(a.Shape) < 1 || len(a.Shape) > MaxRank {
			t.Fatalf("shape %v with %d elements", a.Shape, len(a.Data))
		}
		dt, err := dtypeByName(a.DType)
		if err != nil {
			t.Fatal(err)
		}
		if want := int64(len(b)) - n*int64(dt.size); want < 10 {
			t.Fatalf("%d bytes hold %d elements of %s", len(b), n, a.DType)
		}
		enc := encode(t, a.Shape, a.Data, a.DType)
		again, err := decode(bytes.NewReader(enc), int64(len(enc)))
		if err != nil {
			t.Fatalf("re-reading what we wrote: %v", err)
		}
		for i, x := range a.Data {
			y := again.Data[i]
			if math.Float64bits(x) != math.Float64bits(y) && !(math.IsNaN(x) && math.IsNaN(y)) {
				t.Fatalf("element %d: %v became %v", i, x, y)
			}
		}
	})
}
