package core_test

import (
	"math/rand/v2"
	"testing"

	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/accel/core"
	"github.com/swatsim/swatsim/accel/stream"
	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/reference"
)

// sink is a stub output sink that records the rows.
type sink struct{ rows []stream.Beat }

func (s *sink) Push(b stream.Beat, _ sim.VTimeInSec) { s.rows = append(s.rows, b) }

// TestCoreAgainstStubStreams feeds a core from FIFOs filled before cycle 0
// (ideal ports) into a stub sink: its cycles are the closed form
// dataflow.IdealCycles (overlapped: the sequencer alone on ideal ports),
// every output row arrives, and their
// codes equal reference.Attend's fixed-point path bit for bit, for SWAT,
// dense and flash, plain and overlapped, GQA included.
func TestCoreAgainstStubStreams(t *testing.T) {
	for _, sets := range [][]string{
		{"model.seq_len=60", "model.window=9", "hw.pes=4", "model.sinks=2"},
		{"model.seq_len=50", "model.window=12", "model.causal=false", "hw.pes=3", "model.global_tokens=2", "model.heads=2", "model.kv_heads=1"},
		{"model.seq_len=40", "model.window=8", "arch=dense", "hw.pes=5"},
		{"model.seq_len=45", "model.window=10", "arch=flash", "hw.pes=4", "hw.key_tile=6"},
		{"model.seq_len=64", "model.window=16", "hw.pes=4", "hw.overlap=true", "model.heads=2"},
	} {
		d, err := dataflow.Load("", append(sets, "model.head_dim=8", "hw.vector_width=4"))
		if err != nil {
			t.Fatal(err)
		}
		checkCore(t, d)
	}
}

func checkCore(t *testing.T, d *dataflow.Design) {
	t.Helper()
	m := d.Model
	r := rand.New(rand.NewPCG(uint64(m.SeqLen), 1))
	q, k, v := randT(r, m.Heads, m.SeqLen, m.HeadDim), randT(r, d.KVHeads(), m.SeqLen, m.HeadDim), randT(r, d.KVHeads(), m.SeqLen, m.HeadDim)
	a, _ := d.ArithSpec()
	ref, err := reference.Attend(q, k, v, reference.Options{Mask: d.Mask(), Arith: a})
	if err != nil {
		t.Fatal(err)
	}
	kern := ref.Kernel
	qc, kc, vc := kern.Quantize(q, kern.QFrac), kern.Quantize(k, kern.KFrac), kern.Quantize(v, kern.VFrac)
	s := dataflow.NewSchedule(d)
	seq := dataflow.NewSequencer(s, d.Timing(), 0)
	fq, fk, fv := stream.NewFIFO(1<<20), stream.NewFIFO(1<<20), stream.NewFIFO(1<<20)
	push := func(f *stream.FIFO, c *reference.Codes, h, row int) {
		f.Reserve(1, 0)
		f.Push(stream.Beat{Head: h, Row: row, K: append([]int64(nil), c.Row(h, row)...)})
	}
	for i := 0; i < seq.Order.Len(); i++ {
		blk := seq.Order.Block(i)
		for row := blk.R0; row <= blk.R1; row++ {
			push(fq, qc, blk.Head, row)
		}
		for key := 0; key < blk.Preload; key++ {
			push(fk, kc, blk.KVHead, key)
			push(fv, vc, blk.KVHead, key)
		}
		for _, sg := range blk.Segs {
			for key := sg.Lo; sg.Src == dataflow.SrcStream && key <= sg.Hi; key++ {
				push(fk, kc, blk.KVHead, key)
				push(fv, vc, blk.KVHead, key)
			}
		}
	}
	ring, pin := d.KVBufRows(), d.PinnedRows()
	if d.Arch != dataflow.ArchSWAT {
		ring, pin = 0, 0
	}
	e := sim.NewSerialEngine()
	out := &sink{}
	c := core.MakeBuilder().WithEngine(e).WithFreq(1*sim.GHz).WithSequencer(seq).WithStreams(fq, fk, fv, out).
		WithDatapath(core.NewDatapath(kern, d.Mask(), d.HW.PEs, ring, pin)).Build("Core")
	c.Start(0)
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	want := dataflow.IdealCycles(s, d.Timing())
	if d.HW.Overlap { // no closed form: the sequencer alone on ideal ports
		alone := dataflow.NewSequencer(s, d.Timing(), 0)
		alone.Run(dataflow.IdealPorts{}, -1)
		want = alone.Cycle()
	}
	if !c.Finished || seq.Cycle() != want || len(out.rows) != m.Heads*m.SeqLen {
		t.Fatalf("%s %+v: finished %v, %d cycles (ideal ports %d), %d rows", d.Arch, m, c.Finished, seq.Cycle(), want, len(out.rows))
	}
	for _, b := range out.rows {
		want := ref.Codes[(b.Head*m.SeqLen+b.Row)*m.HeadDim:][:m.HeadDim]
		for j := range want {
			if b.Codes()[j] != want[j] {
				t.Fatalf("%s %+v: head %d row %d: %v, reference %v", d.Arch, m, b.Head, b.Row, b.Codes(), want)
			}
		}
	}
}

func randT(r *rand.Rand, h, n, d int) *reference.Tensor {
	x := reference.NewTensor(h, n, d)
	for i := range x.Data {
		x.Data[i] = r.NormFloat64()
	}
	return x
}
