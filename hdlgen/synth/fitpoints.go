package synth

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/dataflow/resource"
	"github.com/swatsim/swatsim/hdlgen"
)

// Point is one design point of the resource fit: the fields the fit
// varies (every other field keeps its default).
type Point struct {
	Arch         string
	Arith        string
	PEs          int
	VectorWidth  int
	HeadDim      int
	SeqLen       int
	Window       int
	GlobalTokens int
	Sinks        int
	Causal       bool
	LatScore     int
	LatExp       int
	LatAcc       int
	LatNorm      int
	LatRecip     int
	Overlap      bool
}

// Sets is the point as --set overrides.
func (pt Point) Sets() []string {
	return []string{
		"name=fit", "arch=" + pt.Arch, "arith=" + pt.Arith,
		"hw.pes=" + strconv.Itoa(pt.PEs), "hw.vector_width=" + strconv.Itoa(pt.VectorWidth),
		"model.head_dim=" + strconv.Itoa(pt.HeadDim), "model.seq_len=" + strconv.Itoa(pt.SeqLen),
		"model.window=" + strconv.Itoa(pt.Window), "model.global_tokens=" + strconv.Itoa(pt.GlobalTokens),
		"model.sinks=" + strconv.Itoa(pt.Sinks), "model.causal=" + strconv.FormatBool(pt.Causal),
		"hw.latency.score=" + strconv.Itoa(pt.LatScore), "hw.latency.exp=" + strconv.Itoa(pt.LatExp),
		"hw.latency.acc=" + strconv.Itoa(pt.LatAcc), "hw.latency.norm=" + strconv.Itoa(pt.LatNorm),
		"hw.latency.recip=" + strconv.Itoa(pt.LatRecip), "hw.overlap=" + strconv.FormatBool(pt.Overlap),
	}
}

// Design loads the point.
func (pt Point) Design() (*dataflow.Design, error) { return dataflow.Load("", pt.Sets()) }

// Space is the range a set of fit points is drawn from, uniformly in each
// list.
type Space struct {
	Archs        []string
	Ariths       []string
	PEs          []int
	HeadDims     []int
	VectorWidths []int // those dividing head_dim are drawn
	SeqLens      []int
	Latencies    []int // hw.latency.score, exp, acc and norm
	RecipLats    []int // hw.latency.recip
	OverlapOneIn int   // hw.overlap is drawn true one time in OverlapOneIn (0: never)
	PinMax       int   // global_tokens and sinks: 0 half the time, else in [1, PinMax]
	WindowMax    int   // the window is in [1, min(seq_len, WindowMax)]
}

// TrainingSpace is the training set's general range.
var TrainingSpace = Space{
	Archs:        []string{"swat", "swat", "dense"},
	Ariths:       []string{"fixed8", "fixed12", "fixed16"},
	PEs:          []int{1, 2, 3, 4, 6, 8},
	HeadDims:     []int{8, 16, 32, 64},
	VectorWidths: []int{1, 2, 4, 8, 16},
	SeqLens:      []int{64, 128, 256, 512, 1024, 2048},
	Latencies:    []int{1, 2, 3},
	RecipLats:    []int{1, 2},
	OverlapOneIn: 4,
	PinMax:       8,
	WindowMax:    2048,
}

// SmallSpace is the training set's small designs (one or two PEs, short
// rows), where the fixed logic outside the lanes is most of the core: the
// general draw alone has few of them.
var SmallSpace = Space{
	Archs:        []string{"swat", "dense"},
	Ariths:       []string{"fixed8", "fixed12", "fixed16"},
	PEs:          []int{1, 2},
	HeadDims:     []int{8, 16},
	VectorWidths: []int{1, 2, 4, 8},
	SeqLens:      []int{64, 128, 256},
	Latencies:    []int{1, 2, 3},
	RecipLats:    []int{1, 2},
	OverlapOneIn: 4,
	PinMax:       8,
	WindowMax:    256,
}

// HeldOutSpace is the held-out set's range beyond the training grid:
// more PEs, a longer sequence and window, head_dim 128, 32 lanes and
// longer latencies (fixed8 and fixed12, to keep the Yosys runs short).
var HeldOutSpace = Space{
	Archs:        []string{"swat", "dense"},
	Ariths:       []string{"fixed8", "fixed12"},
	PEs:          []int{5, 12, 16},
	HeadDims:     []int{32, 64, 128},
	VectorWidths: []int{4, 8, 32},
	SeqLens:      []int{4096, 8192},
	Latencies:    []int{2, 4},
	RecipLats:    []int{1, 2},
	PinMax:       16,
	WindowMax:    4096,
}

// The seeds and sizes of the sets: the training set is TrainingPoints
// general and SmallPoints small draws; the held-out set is drawn from its
// own seeds, HeldOutInside points inside the training space (but not on
// its points), HeldOutOutside outside it (HeldOutSpace) and
// HeldOutOverlap inside it with hw.overlap on.
const (
	TrainingSeed   = 1
	TrainingPoints = 12
	SmallSeed      = 11
	SmallPoints    = 6
	HeldOutSeed    = 2
	HeldOutInside  = 5
	HeldOutOutside = 2
	HeldOutOverlap = 2
)

// TrainingSet is the fit's training points.
func TrainingSet() []Point {
	general := DrawPoints(TrainingSeed, TrainingPoints, TrainingSpace, nil)
	return append(general, DrawPoints(SmallSeed, SmallPoints, SmallSpace, general)...)
}

// HeldOutSet is the validation points: none of them is a training point.
func HeldOutSet() []Point {
	train := TrainingSet()
	in := DrawPoints(HeldOutSeed, HeldOutInside, TrainingSpace, train)
	out := DrawPoints(HeldOutSeed+1, HeldOutOutside, HeldOutSpace, train)
	overlap := TrainingSpace
	overlap.OverlapOneIn = 1
	banked := DrawPoints(HeldOutSeed+2, HeldOutOverlap, overlap, train)
	return append(append(in, out...), banked...)
}

// DrawPoints draws n distinct valid points of the space from the seed,
// none of them in exclude. Each point is drawn until the generator
// accepts it.
func DrawPoints(seed uint64, n int, s Space, exclude []Point) []Point {
	rng := rand.New(rand.NewPCG(seed, 0x5f17))
	var out []Point
	for len(out) < n {
		pt := s.draw(rng)
		if slices.Contains(exclude, pt) || slices.Contains(out, pt) || Generable(pt) != nil {
			continue
		}
		out = append(out, pt)
	}
	return out
}

// draw is one point of the space (not checked).
func (s Space) draw(rng *rand.Rand) Point {
	pick := func(v []int) int { return v[rng.IntN(len(v))] }
	pt := Point{
		Arch: s.Archs[rng.IntN(len(s.Archs))], Arith: s.Ariths[rng.IntN(len(s.Ariths))],
		PEs: pick(s.PEs), HeadDim: pick(s.HeadDims), SeqLen: pick(s.SeqLens),
		Causal: rng.IntN(2) == 0, LatScore: pick(s.Latencies), LatExp: pick(s.Latencies),
		LatAcc: pick(s.Latencies), LatNorm: pick(s.Latencies), LatRecip: pick(s.RecipLats),
		Overlap: s.OverlapOneIn > 0 && rng.IntN(s.OverlapOneIn) == 0,
	}
	var vws []int
	for _, v := range s.VectorWidths {
		if v <= pt.HeadDim && pt.HeadDim%v == 0 {
			vws = append(vws, v)
		}
	}
	if len(vws) == 0 {
		vws = []int{pt.HeadDim}
	}
	pt.VectorWidth = pick(vws)
	pt.Window = 1 + rng.IntN(min(pt.SeqLen, s.WindowMax))
	pin := func() int {
		if rng.IntN(2) == 0 {
			return 0
		}
		return 1 + rng.IntN(s.PinMax)
	}
	pt.GlobalTokens, pt.Sinks = pin(), pin()
	return pt
}

// Generable checks that the point is a valid design the Verilog generator
// builds.
func Generable(pt Point) error {
	d, err := pt.Design()
	if err != nil {
		return err
	}
	if _, err := resource.Derive(d); err != nil {
		return err
	}
	_, err = hdlgen.Generate(d)
	return err
}

// Label is a short description of the point.
func (pt Point) Label() string {
	return fmt.Sprintf("%s %s P=%d VW=%d D=%d N=%d W=%d G=%d S=%d lat=%d/%d/%d/%d/%d overlap=%t", pt.Arch, pt.Arith, pt.PEs,
		pt.VectorWidth, pt.HeadDim, pt.SeqLen, pt.Window, pt.GlobalTokens, pt.Sinks,
		pt.LatScore, pt.LatExp, pt.LatAcc, pt.LatNorm, pt.LatRecip, pt.Overlap)
}
