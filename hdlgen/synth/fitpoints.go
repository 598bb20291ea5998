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

// LargeSpace is the training set's large designs, beyond TrainingSpace:
// five or eight PEs, head_dim 128, 32 lanes, 4,096 tokens, latency 4
// (fixed8 and fixed12, to keep the Yosys runs short).
var LargeSpace = Space{
	Archs:        []string{"swat", "dense"},
	Ariths:       []string{"fixed8", "fixed12"},
	PEs:          []int{5, 8},
	HeadDims:     []int{64, 128},
	VectorWidths: []int{8, 16, 32},
	SeqLens:      []int{2048, 4096},
	Latencies:    []int{1, 2, 3, 4},
	RecipLats:    []int{1, 2},
	OverlapOneIn: 4,
	PinMax:       16,
	WindowMax:    4096,
}

// FormerHeldOutSpace is the range of the first held-out set's points
// outside TrainingSpace; those points are training points now.
var FormerHeldOutSpace = Space{
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

// The seeds and sizes of the training set: TrainingPoints general draws,
// SmallPoints small ones, the first held-out set (FormerHeldOutSet, seeds
// FormerHeldOutSeed to FormerHeldOutSeed+2; looked at twice, so it
// validates nothing any more and is training data), DensePoints dense
// draws of TrainingSpace, LargePoints of LargeSpace, OverlapPoints of
// TrainingSpace with hw.overlap on and the second held-out set (seeds
// FormerHeldOutSeed2 to FormerHeldOutSeed2+3, drawn as HeldOutSet draws;
// measured once after the fit3 freeze, then looked at to find the
// descriptor ROM's block RAM, so it is training data now) and the third
// held-out set (seeds FormerHeldOutSeed3 to FormerHeldOutSeed3+3, drawn
// the same way; measured once after the fit4 freeze, then looked at to
// find the cause of its two misses, so it is training data now) and the
// fourth (seeds FormerHeldOutSeed4 to FormerHeldOutSeed4+3; measured once
// after the fit5 freeze and met every goal; seen, so training data now)
// and the fifth (seeds FormerHeldOutSeed5 to FormerHeldOutSeed5+3;
// measured once after the fit6 freeze, then looked at to find the cause
// of its one xcup LUT miss, so it is training data now).
const (
	TrainingSeed       = 1
	TrainingPoints     = 16
	SmallSeed          = 11
	SmallPoints        = 10
	FormerHeldOutSeed  = 2
	DenseSeed          = 12
	DensePoints        = 6
	LargeSeed          = 13
	LargePoints        = 3
	OverlapSeed        = 14
	OverlapPoints      = 3
	FormerHeldOutSeed2 = 31
	FormerHeldOutSeed3 = 41
	FormerHeldOutSeed4 = 51
	FormerHeldOutSeed5 = 61
)

// TrainingSet is the fit's training points.
func TrainingSet() []Point {
	pts := DrawPoints(TrainingSeed, TrainingPoints, TrainingSpace, nil)
	pts = append(pts, DrawPoints(SmallSeed, SmallPoints, SmallSpace, pts)...)
	pts = append(pts, FormerHeldOutSet(pts)...)
	dense := TrainingSpace
	dense.Archs = []string{"dense"}
	pts = append(pts, DrawPoints(DenseSeed, DensePoints, dense, pts)...)
	pts = append(pts, DrawPoints(LargeSeed, LargePoints, LargeSpace, pts)...)
	pts = append(pts, DrawPoints(OverlapSeed, OverlapPoints, overlapOn(TrainingSpace), pts)...)
	pts = append(pts, heldOutDraw(FormerHeldOutSeed2, pts)...)
	pts = append(pts, heldOutDraw(FormerHeldOutSeed3, pts)...)
	pts = append(pts, heldOutDraw(FormerHeldOutSeed4, pts)...)
	return append(pts, heldOutDraw(FormerHeldOutSeed5, pts)...)
}

// FormerHeldOutSet is the first held-out set, drawn as it was then: five
// points of TrainingSpace, two of FormerHeldOutSpace and two of
// TrainingSpace with hw.overlap on, none of them among the first
// training points (exclude: the general and small draws of 12 and 6).
func FormerHeldOutSet(exclude []Point) []Point {
	first := DrawPoints(TrainingSeed, 12, TrainingSpace, nil)
	first = append(first, DrawPoints(SmallSeed, 6, SmallSpace, first)...)
	in := DrawPoints(FormerHeldOutSeed, 5, TrainingSpace, first)
	out := DrawPoints(FormerHeldOutSeed+1, 2, FormerHeldOutSpace, first)
	banked := DrawPoints(FormerHeldOutSeed+2, 2, overlapOn(TrainingSpace), first)
	var pts []Point
	for _, p := range append(append(in, out...), banked...) {
		if !slices.Contains(exclude, p) {
			pts = append(pts, p)
		}
	}
	return pts
}

// HeldOutSpace is the held-out set's range beyond the drawn training
// spaces: 10 to 16 PEs, 8,192 or 16,384 tokens and windows up to 8,192
// (TrainingSpace, SmallSpace and LargeSpace stop at 8 PEs and 4,096
// tokens), with head_dim 64 or 128 and up to 32 lanes. The former
// held-out sets drew from it too and are training data now, so its points
// are no longer beyond every training point (docs/hdl.md, "Valid
// range").
var HeldOutSpace = Space{
	Archs:        []string{"swat", "dense"},
	Ariths:       []string{"fixed8", "fixed12", "fixed16"},
	PEs:          []int{10, 12, 16},
	HeadDims:     []int{64, 128},
	VectorWidths: []int{4, 8, 16, 32},
	SeqLens:      []int{8192, 16384},
	Latencies:    []int{1, 2, 3, 4},
	RecipLats:    []int{1, 2},
	OverlapOneIn: 4,
	PinMax:       16,
	WindowMax:    8192,
}

// The held-out set's seeds and sizes, drawn after the features and
// coefficients were frozen: HeldOutInside points of TrainingSpace,
// HeldOutDense dense points of it, HeldOutOutside of HeldOutSpace and
// HeldOutOverlap of TrainingSpace with hw.overlap on, none of them a
// training point.
const (
	HeldOutSeed    = 71
	HeldOutInside  = 6
	HeldOutDense   = 3
	HeldOutOutside = 3
	HeldOutOverlap = 3
)

// HeldOutSet is the validation points: none of them is a training point.
func HeldOutSet() []Point { return heldOutDraw(HeldOutSeed, TrainingSet()) }

// heldOutDraw is a held-out set drawn from seeds seed to seed+3 (inside,
// dense, outside, overlapped), none of its points in train.
func heldOutDraw(seed uint64, train []Point) []Point {
	dense := TrainingSpace
	dense.Archs = []string{"dense"}
	pts := DrawPoints(seed, HeldOutInside, TrainingSpace, train)
	pts = append(pts, DrawPoints(seed+1, HeldOutDense, dense, append(train, pts...))...)
	pts = append(pts, DrawPoints(seed+2, HeldOutOutside, HeldOutSpace, train)...)
	return append(pts, DrawPoints(seed+3, HeldOutOverlap, overlapOn(TrainingSpace), append(train, pts...))...)
}

// overlapOn is the space with hw.overlap always on.
func overlapOn(s Space) Space {
	s.OverlapOneIn = 1
	return s
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
