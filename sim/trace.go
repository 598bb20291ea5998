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

// ChromeTrace renders a run's timeline as Chrome/Perfetto trace-event JSON
// (open in ui.perfetto.dev or chrome://tracing): one track per core phase
// and one per unit with its requests in flight, times in microseconds of
// simulated time.
func ChromeTrace(d *dataflow.Design, res *Result) ([]byte, error) {
	blocks := res.Timeline
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
	events = append(events, unitEvents(res.Spans)...)
	return json.Marshal(map[string]any{"traceEvents": events, "displayTimeUnit": "ns"})
}

// unitEvents puts each unit's requests on a track of process 2; requests
// that overlap go to further lanes of the unit so none hides another.
func unitEvents(spans []Span) []any {
	var events []any
	tids := map[string][]float64{} // per unit: end time of each lane
	names := map[string]int{}
	next := 1
	for _, s := range spans {
		ts, dur := float64(s.Start)*1e6, float64(s.End-s.Start)*1e6
		lanes := tids[s.Unit]
		lane := 0
		for lane < len(lanes) && lanes[lane] > ts {
			lane++
		}
		if lane == len(lanes) {
			lanes = append(lanes, 0)
		}
		lanes[lane] = ts + dur
		tids[s.Unit] = lanes
		key := fmt.Sprintf("%s #%d", s.Unit, lane)
		tid, ok := names[key]
		if !ok {
			tid, next = next, next+1
			names[key] = tid
			events = append(events, map[string]any{"name": "thread_name", "ph": "M", "pid": 2, "tid": tid,
				"args": map[string]string{"name": key}})
		}
		events = append(events, traceEvent{Name: s.What, Cat: s.Unit, Ph: "X", Ts: ts, Dur: dur, Pid: 2, Tid: tid})
	}
	if len(events) > 0 {
		events = append(events, map[string]any{"name": "process_name", "ph": "M", "pid": 2, "args": map[string]string{"name": "Memory system"}})
	}
	return events
}
