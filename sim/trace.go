package sim

import (
	"encoding/json"
	"fmt"

	"github.com/swatsim/swatsim/dataflow"
)

// traceEvent is one Chrome trace-event ("X" = a complete duration event).
type traceEvent struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat"`
	Ph   string         `json:"ph"`
	Ts   float64        `json:"ts"`
	Dur  float64        `json:"dur"`
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	Args map[string]any `json:"args,omitempty"`
}

// ChromeTrace renders block phase times as a Chrome/Perfetto trace-event
// JSON timeline (open in ui.perfetto.dev or chrome://tracing): one track
// per core phase, times in microseconds of simulated time.
func ChromeTrace(d *dataflow.Design, blocks []dataflow.BlockTimes) ([]byte, error) {
	us := 1 / d.HW.ClockMHz // microseconds per cycle
	events := []any{
		map[string]any{"name": "process_name", "ph": "M", "pid": 1, "args": map[string]string{"name": "Accel.Core " + d.Name}},
	}
	for ph := dataflow.PhPreload; ph < dataflow.PhDone; ph++ {
		events = append(events, map[string]any{"name": "thread_name", "ph": "M", "pid": 1, "tid": int(ph) + 1,
			"args": map[string]string{"name": ph.String()}})
	}
	for i := range blocks {
		bt := &blocks[i]
		for ph := dataflow.PhPreload; ph < dataflow.PhDone; ph++ {
			if bt.End[ph] <= bt.Start[ph] {
				continue
			}
			events = append(events, traceEvent{
				Name: fmt.Sprintf("%s h%d r%d-%d", ph, bt.Block.Head, bt.Block.R0, bt.Block.R1), Cat: ph.String(), Ph: "X",
				Ts: float64(bt.Start[ph]) * us, Dur: float64(bt.End[ph]-bt.Start[ph]) * us, Pid: 1, Tid: int(ph) + 1,
				Args: map[string]any{"keys": bt.Block.Keys(), "streamed": bt.Block.Streamed(), "start_cycle": bt.Start[ph],
					"stall_q": bt.Stall[dataflow.StreamQ], "stall_kv": bt.Stall[dataflow.StreamKV]},
			})
		}
	}
	return json.Marshal(map[string]any{"traceEvents": events, "displayTimeUnit": "ns"})
}
