package loader_test

import (
	"testing"

	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/accel/internal/stubmem"
	"github.com/swatsim/swatsim/accel/loader"
	"github.com/swatsim/swatsim/accel/stream"
)

// TestLoaderDeliversPlanInOrder runs a loader against the stub memory:
// every row of the plan arrives in the FIFO in plan order with the codes
// stored at its address, the FIFO never holds more than its capacity, and
// the bytes and requests are those of whole-row bursts.
func TestLoaderDeliversPlanInOrder(t *testing.T) {
	const d, eb, rows, heads = 4, 2, 40, 2
	for _, c := range []struct{ fifo, burst int }{{4, 64}, {16, 32}, {64, 4096}} {
		m := stubmem.New(1<<20, 20)
		lay := stream.Layout{Base: 0x1000, SeqLen: rows, RowBytes: d * eb, ElemBytes: eb, BurstBytes: c.burst, Route: m.Route}
		for h := 0; h < heads; h++ {
			for r := 0; r < rows; r++ {
				buf := make([]byte, d*eb)
				stream.Encode(buf, []int64{int64(h), int64(r), int64(-r), 7}, eb)
				m.Storage.Write(lay.Addr(h, r), buf)
			}
		}
		plan := &loader.SlicePlan{Ranges: []loader.Range{{Head: 1, Lo: 3, Hi: 30}, {Head: 0, Lo: 0, Hi: 39}, {Head: 1, Lo: 31, Hi: 31}}}
		fifo := stream.NewFIFO(c.fifo)
		l := loader.MakeBuilder().WithEngine(m.Engine).WithFreq(1 * sim.GHz).WithLayout(lay).WithFunctional(true).
			WithFIFO(fifo).WithPlan(plan).Build("Loader")
		m.Conn.PlugIn(l.GetPortByName("Bottom"), 64)
		var got []stream.Beat
		peak := int64(0)
		l.OnArrival = func(now sim.VTimeInSec) {
			// the consumer takes every pushed beat at once
			for fifo.Pushed() > int64(len(got)) {
				peak = max(peak, fifo.Pushed()-int64(len(got)))
				b, _ := fifo.Get(int64(len(got)))
				got = append(got, *b)
				fifo.Consume(int64(now * 1e9))
			}
			l.TickLater(now)
		}
		l.TickLater(0)
		if err := m.Engine.Run(); err != nil {
			t.Fatal(err)
		}
		var want []stream.Beat
		for _, r := range plan.Ranges {
			for row := r.Lo; row <= r.Hi; row++ {
				want = append(want, stream.Beat{Head: r.Head, Row: row, K: []int64{int64(r.Head), int64(row), int64(-row), 7}})
			}
		}
		if len(got) != len(want) || peak > int64(c.fifo) {
			t.Fatalf("%+v: %d rows (want %d), peak occupancy %d", c, len(got), len(want), peak)
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.Head != w.Head || g.Row != w.Row || len(g.K) != d || g.K[0] != w.K[0] || g.K[1] != w.K[1] || g.K[2] != w.K[2] || g.K[3] != 7 {
				t.Fatalf("%+v: beat %d is %+v, want %+v", c, i, g, w)
			}
		}
		per := max(1, min(c.burst/(d*eb), c.fifo/2)) // rows a request carries
		reqs := 0
		for _, r := range plan.Ranges {
			reqs += (r.Hi - r.Lo + per) / per
		}
		if l.BytesRead != uint64(len(want)*d*eb) || l.Requests != uint64(reqs) {
			t.Errorf("%+v: %d bytes in %d requests, want %d in %d", c, l.BytesRead, l.Requests, len(want)*d*eb, reqs)
		}
	}
}
