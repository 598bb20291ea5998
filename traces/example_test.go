package traces_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/swatsim/swatsim/traces"
)

func ExampleGenerate() {
	p := traces.DefaultSynthParams()
	p.Heads, p.Tokens = 2, 128
	q, k, v, err := traces.Generate(p)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q.Shape(), k.Shape(), v.Shape())

	p.SinkStrength = -1
	_, _, _, err = traces.Generate(p)
	fmt.Println(err)
	// Output:
	// [2 128 64] [2 128 64] [2 128 64]
	// sink_strength = -1: must be in [0, 100]
}

func ExampleReadArray() {
	dir, _ := os.MkdirTemp("", "traces")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "x.npy")
	if err := traces.WriteArray(path, []int{2, 3}, []float64{1, 2.5, 3, -4, 0.1, 6}, "float16"); err != nil {
		fmt.Println(err)
		return
	}
	a, err := traces.ReadArray(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Shape, a.DType, a.Data)
	// Output:
	// [2 3] float16 [1 2.5 3 -4 0.0999755859375 6]
}
