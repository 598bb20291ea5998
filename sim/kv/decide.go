package kv

import (
	"github.com/swatsim/swatsim/sim/kv/policy"
	"github.com/swatsim/swatsim/sim/kv/timing"
)

// decider is a policy's side of decode with its memory traffic: what the
// simulator's instance and the step-by-step Stepper share.
type decider struct {
	pol   policy.Policy
	mem   *memory
	data  policy.Data
	cost  policy.Cost
	parts [][timing.NumTiers][]int // per kv head: the attended tokens by tier
}

func newDecider(cfg Config, name string, p policy.Policy, data policy.Data) decider {
	kvh := data.K.H
	return decider{pol: p, mem: newMemory(cfg, name, p, kvh, data.Q.N, data.Q.D), data: data,
		parts: make([][timing.NumTiers][]int, kvh)}
}

// begin builds the cache at prefill end and places it (no traffic), and
// fills last with the last prompt query's attention (every prompt token).
func (dc *decider) begin(pf *policy.Prefill, last *policy.Obs) {
	dc.pol.Start(pf)
	for h := range dc.data.K.H {
		dc.mem.place(h, dc.pol.Cache(h), true)
	}
	for h := range dc.data.Q.H {
		last.Att[h] = make([]int, pf.P)
		for j := range pf.P {
			last.Att[h][j] = j
		}
		last.P[h] = append([]float64(nil), pf.Last[h]...)
		last.O[h] = append([]float64(nil), pf.LastO[h]...)
	}
	last.T = pf.P - 1
}

// decide runs decode step t's policy calls in the simulator's order —
// Evict with last (the previous query's attention), Append of token t,
// then each kv head's Attended — and places, evicts and gathers the cache
// over the tiers. att[qh] receives query head qh's attended tokens (a
// group's heads share their kv head's set). It returns the evictions per
// kv head (nil when none).
func (dc *decider) decide(t int, last *policy.Obs, att [][]int) [][]int {
	kvHeads, group := dc.data.K.H, dc.data.Q.H/dc.data.K.H
	dc.mem.reset()
	dc.cost.Reset(kvHeads)
	ev := dc.pol.Evict(t, last, &dc.cost)
	for h := range kvHeads {
		dc.mem.secondPass(h, dc.cost.VRows[h])
		if ev != nil {
			dc.mem.evict(h, ev[h])
		}
	}
	dc.pol.Append(t, &dc.cost)
	for h := range kvHeads {
		lo := h * group
		att[lo] = append(att[lo][:0], dc.pol.Attended(t, h, &dc.cost)...)
		dc.mem.place(h, dc.pol.Cache(h), false)
		dc.mem.metadata(h, dc.cost.MetaPages[h], dc.cost.MetaWrite)
		dc.mem.gather(t, h, att[lo], &dc.parts[h])
		for qh := lo + 1; qh < lo+group; qh++ {
			att[qh] = append(att[qh][:0], att[lo]...)
		}
	}
	dc.mem.extra(dc.cost.ExtraBits)
	return ev
}
