package reference_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/reference"
)

// manifestAllowed is the golden manifest's mask, written out again:
// [causal ? (j<=i and i-j<W) : |i-j|<=W/2] or i<G or j<G, extended by
// sinks (j<S, and j<=i when causal) and by Dense (no window limit).
func manifestAllowed(i, j, w int, causal bool, g, s int, dense bool) bool {
	var win bool
	switch {
	case causal && dense:
		win = j <= i
	case dense:
		win = true
	case causal:
		win = j <= i && i-j < w
	default:
		d := i - j
		if d < 0 {
			d = -d
		}
		win = d <= w/2
	}
	sink := j < s && (!causal || j <= i)
	return win || i < g || j < g || sink
}

func maskCases() []reference.Mask {
	var out []reference.Mask
	for _, n := range []int{1, 2, 3, 5, 8, 13, 21, 34} {
		ws := []int{0, 1, 2, 3, 4, 5, 7, 8, n - 1, n, n + 1, 2*n - 2, 2*n - 1, 2 * n, 2*n + 1, 10 * n}
		for _, w := range ws {
			for _, g := range []int{0, 1, 2, n} {
				for _, s := range []int{0, 1, 3, n} {
					for _, causal := range []bool{false, true} {
						for _, dense := range []bool{false, true} {
							m := reference.Mask{N: n, Window: w, Causal: causal, Global: g, Sinks: s, Dense: dense}
							if w < 0 || g > n || s > n || m.Validate() != nil {
								continue
							}
							out = append(out, m)
						}
					}
				}
			}
		}
	}
	return out
}

func TestMaskAllowedKeysCount(t *testing.T) {
	cases := maskCases()
	if len(cases) < 1000 {
		t.Fatalf("only %d mask cases", len(cases))
	}
	buf := make([]int, 0, 4) // reused: Keys must reset it
	for _, m := range cases {
		for i := 0; i < m.N; i++ {
			var want []int
			for j := 0; j < m.N; j++ {
				a := manifestAllowed(i, j, m.Window, m.Causal, m.Global, m.Sinks, m.Dense)
				if got := m.Allowed(i, j); got != a {
					t.Fatalf("%+v: Allowed(%d, %d) = %v, manifest %v", m, i, j, got, a)
				}
				if a {
					want = append(want, j)
				}
			}
			buf = m.Keys(i, buf)
			if !slices.Equal(buf, want) {
				t.Fatalf("%+v: Keys(%d) = %v, brute force %v", m, i, buf, want)
			}
			if c := m.Count(i); c != len(want) {
				t.Fatalf("%+v: Count(%d) = %d, want %d", m, i, c, len(want))
			}
			if len(want) == 0 {
				t.Fatalf("%+v: row %d attends to nothing", m, i)
			}
		}
	}
}

// TestMaskEdges spells out the cases the brief names.
func TestMaskEdges(t *testing.T) {
	keys := func(m reference.Mask, i int) string { return fmt.Sprint(m.Keys(i, nil)) }
	for _, c := range []struct {
		m    reference.Mask
		i    int
		want string
	}{
		{reference.Mask{N: 10, Window: 0}, 4, "[4]"},                               // bidirectional W=0: itself only
		{reference.Mask{N: 10, Window: 4}, 4, "[2 3 4 5 6]"},                       // |i-j| <= 2
		{reference.Mask{N: 10, Window: 5}, 4, "[2 3 4 5 6]"},                       // W/2 rounds down
		{reference.Mask{N: 10, Window: 3, Causal: true}, 4, "[2 3 4]"},             // i-j < 3
		{reference.Mask{N: 10, Window: 3, Causal: true, Sinks: 1}, 4, "[0 2 3 4]"}, // sink before the window
		{reference.Mask{N: 10, Window: 2, Sinks: 6}, 1, "[0 1 2 3 4 5]"},           // bidirectional sinks beyond the window
		{reference.Mask{N: 10, Window: 2, Causal: true, Sinks: 6}, 1, "[0 1]"},     // causal sinks stop at i
		{reference.Mask{N: 10, Window: 2, Causal: true, Global: 2}, 0, "[0 1 2 3 4 5 6 7 8 9]"},
		{reference.Mask{N: 10, Window: 2, Causal: true, Global: 2}, 7, "[0 1 6 7]"},
		{reference.Mask{N: 5, Window: 100}, 2, "[0 1 2 3 4]"},
		{reference.Mask{N: 5, Window: 100, Causal: true}, 2, "[0 1 2]"},
		{reference.Mask{N: 5, Dense: true, Causal: true}, 3, "[0 1 2 3]"},
		{reference.Mask{N: 1, Window: 1, Causal: true}, 0, "[0]"},
	} {
		if got := keys(c.m, c.i); got != c.want {
			t.Errorf("%+v: Keys(%d) = %s, want %s", c.m, c.i, got, c.want)
		}
	}
	for _, c := range []struct {
		m     reference.Mask
		field string
	}{
		{reference.Mask{N: 0, Window: 1}, "seq_len"},
		{reference.Mask{N: 4, Window: -1}, "window"},
		{reference.Mask{N: 4, Window: 0, Causal: true}, "window"},
		{reference.Mask{N: 4, Window: 1, Global: 5}, "global_tokens"},
		{reference.Mask{N: 4, Window: 1, Global: -1}, "global_tokens"},
		{reference.Mask{N: 4, Window: 1, Sinks: 5}, "sinks"},
	} {
		err := c.m.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), c.field+" =") {
			t.Errorf("%+v: Validate() = %v, want an error naming %s", c.m, err, c.field)
		}
	}
}
