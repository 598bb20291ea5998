package dataflow

import (
	"fmt"
	"testing"

	"github.com/swatsim/swatsim/reference"
)

// TestUnitsMapping checks the head-to-core mapping of SCHEDULE.md by
// hand: groups stay whole when there are enough of them; otherwise they
// split into the largest even parts that give more cores work.
func TestUnitsMapping(t *testing.T) {
	for _, c := range []struct {
		heads, kv, cores int
		units            []Unit
		rounds, idle     int
	}{
		{32, 8, 8, nil, 1, 0},
		{8, 1, 4, []Unit{{0, 0, 2}, {0, 2, 2}, {0, 4, 2}, {0, 6, 2}}, 1, 0},
		{6, 2, 4, []Unit{{0, 0, 3}, {1, 3, 3}}, 1, 2},
		{5, 5, 2, []Unit{{0, 0, 1}, {1, 1, 1}, {2, 2, 1}, {3, 3, 1}, {4, 4, 1}}, 3, 1},
		{12, 2, 8, []Unit{{0, 0, 2}, {0, 2, 2}, {0, 4, 2}, {1, 6, 2}, {1, 8, 2}, {1, 10, 2}}, 1, 2},
	} {
		s := newSchedule(reference.Mask{N: 8, Window: 4, Causal: true}, 2, false)
		s.Heads, s.KVHeads, s.Cores = c.heads, c.kv, c.cores
		got := s.Units()
		if c.units == nil {
			for g := 0; g < c.kv; g++ {
				c.units = append(c.units, Unit{g, g * c.heads / c.kv, c.heads / c.kv})
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(c.units) || s.Rounds() != c.rounds || s.IdleCores() != c.idle {
			t.Errorf("%d heads, %d kv, %d cores: units %v rounds %d idle %d; want %v, %d, %d",
				c.heads, c.kv, c.cores, got, s.Rounds(), s.IdleCores(), c.units, c.rounds, c.idle)
		}
		blocks := 0
		for core := 0; core < c.cores; core++ {
			blocks += s.CoreOrder(core).Len()
		}
		if blocks != c.heads*s.Blocks() {
			t.Errorf("%d heads on %d cores: %d blocks in the orders, want %d", c.heads, c.cores, blocks, c.heads*s.Blocks())
		}
	}
}

// TestDeviceDefaults checks that a card supplies the memory fields left at
// 0 and that explicit ones win.
func TestDeviceDefaults(t *testing.T) {
	for _, c := range []struct {
		sets     []string
		kind     string
		channels int
		gbps     float64
		static   float64
	}{
		{nil, "hbm2", 8, 14.375, 20},
		{[]string{"device=u55c"}, "hbm2", 32, 14.375, 20},
		{[]string{"device=u280", "memory.kind=ddr4"}, "ddr4", 2, 19.25, 25},
		{[]string{"device=u250"}, "ddr4", 4, 19.25, 30},
		{[]string{"device=u250", "memory.channels=3", "energy.static_w=7"}, "ddr4", 3, 19.25, 7},
		{[]string{"memory.kind=ddr4"}, "ddr4", 2, 19.25, 20},
	} {
		d, err := Load("", c.sets)
		if err != nil {
			t.Fatal(err)
		}
		m := d.Memory
		if m.Kind != c.kind || m.Channels != c.channels || m.ChannelGBps != c.gbps || d.Energy.StaticW != c.static || m.HostGBps <= 0 {
			t.Errorf("%v: memory %+v, static %g", c.sets, m, d.Energy.StaticW)
		}
	}
}
