package hdlgen

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/swatsim/swatsim/dataflow"
)

// romItem is one case item of the rendered descriptor ROM: "j: desc =
// {w'dv, ...};".
var romItem = regexp.MustCompile(`(\d+)'d(\d+)`)

// renderedDescBits reads the generated ROM's case items (DescROM, as the
// controller template emits them) and returns Yosys's view of it: the
// depth 2^JW (the words past the last block are the default, zero) and,
// per bit that is not the same in every word, least significant first,
// the index of its field.
func renderedDescBits(t *testing.T, p *params) (size int, bits []int) {
	t.Helper()
	var words [][][2]int // per word, per field: width, value
	for _, line := range strings.Split(strings.TrimSpace(p.DescROM()), "\n") {
		var word [][2]int
		for _, m := range romItem.FindAllStringSubmatch(line, -1) {
			w, _ := strconv.Atoi(m[1])
			v, _ := strconv.Atoi(m[2])
			word = append(word, [2]int{w, v})
		}
		words = append(words, word)
	}
	size = 1 << p.JW
	for f := len(words[0]) - 1; f >= 0; f-- {
		for bit := 0; bit < words[0][f][0]; bit++ {
			seen := map[int]bool{}
			for _, w := range words {
				seen[w[f][1]>>bit&1] = true
			}
			if size > len(words) {
				seen[0] = true
			}
			if len(seen) > 1 {
				bits = append(bits, f)
			}
		}
	}
	return size, bits
}

// TestDescROMMatchesEstimate: the resource estimate's copy of the
// overlapped controller's descriptor ROM (resource.Params.DescSize and
// DescBits, from which it counts the ROM's block RAM) is the generated
// ROM's depth and varying bits, on seeded random overlapped design points
// of both archs.
func TestDescROMMatchesEstimate(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	checked, wide := 0, 0
	for checked < 40 {
		sets := randomOverlapPoint(r)
		d, err := dataflow.Load("", sets)
		if err != nil {
			continue
		}
		p, err := newParams(d)
		if err != nil {
			continue
		}
		checked++
		size, bits := renderedDescBits(t, p)
		if p.DescSize != size || !slices.Equal(p.DescBits, bits) {
			t.Errorf("%v: estimate's ROM %d words, bits %v; generated %d words, bits %v", sets, p.DescSize, p.DescBits, size, bits)
		}
		if len(bits) > 36 {
			wide++
		}
	}
	if wide == 0 {
		t.Errorf("no point has a ROM wider than 36 varying bits")
	}
}
