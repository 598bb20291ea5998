package writer_test

import (
	"testing"

	"github.com/sarchlab/akita/v3/sim"

	"github.com/swatsim/swatsim/accel/internal/stubmem"
	"github.com/swatsim/swatsim/accel/stream"
	"github.com/swatsim/swatsim/accel/writer"
)

// TestWriterStoresRowsInBursts runs the writer against the stub memory:
// every pushed row lands at its address, contiguous rows of one head go
// out together (up to a burst) once the last has left the core, and the
// writer ends idle.
func TestWriterStoresRowsInBursts(t *testing.T) {
	const d, eb = 4, 2
	m := stubmem.New(1<<20, 10)
	lay := stream.Layout{Base: 0x800, SeqLen: 16, RowBytes: d * eb, ElemBytes: eb, BurstBytes: 4 * d * eb, Route: m.Route}
	w := writer.MakeBuilder().WithEngine(m.Engine).WithFreq(1 * sim.GHz).WithLayout(lay).Build("Writer")
	m.Conn.PlugIn(w.GetPortByName("Bottom"), 64)
	// head 0 rows 0..5 (bursts of 4 and 2), head 1 rows 8..9, head 0 row 12
	rows := [][2]int{{0, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 4}, {0, 5}, {1, 8}, {1, 9}, {0, 12}}
	for i, hr := range rows {
		w.Push(stream.Beat{Head: hr[0], Row: hr[1], K: []int64{int64(hr[0]), int64(hr[1]), -1, int64(i)}, Arrival: int64(3 * i)}, 0)
	}
	if err := m.Engine.Run(); err != nil {
		t.Fatal(err)
	}
	if !w.Idle() || w.Requests != 4 || w.BytesWritten != uint64(len(rows)*d*eb) {
		t.Fatalf("idle %v, %d requests (want 4), %d bytes", w.Idle(), w.Requests, w.BytesWritten)
	}
	for i, hr := range rows {
		buf, err := m.Storage.Read(lay.Addr(hr[0], hr[1]), d*eb)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]int64, d)
		stream.Decode(got, buf, eb)
		if got[0] != int64(hr[0]) || got[1] != int64(hr[1]) || got[2] != -1 || got[3] != int64(i) {
			t.Errorf("row %v: %v", hr, got)
		}
	}
	if last := float64(w.LastDone); last < 3*float64(len(rows)-1)*1e-9 {
		t.Errorf("last write done at %g s, before the last row left the core", last)
	}
}
