package sim

import (
	"math"

	"github.com/swatsim/swatsim/dataflow"
)

// Report is the summary of a run; its JSON keys are a contract
// (README: "Reading the report").
type Report struct {
	Design           string             `json:"design"`
	Arch             string             `json:"arch"`
	Mode             string             `json:"mode"`
	Cycles           int64              `json:"cycles"`
	CoreCycles       int64              `json:"core_cycles"`
	ClockMHz         float64            `json:"clock_mhz"`
	LatencyS         float64            `json:"latency_s"`
	UsefulMACs       int64              `json:"useful_macs"`
	MACsPerCycle     int                `json:"macs_per_cycle"`
	MACUtilization   float64            `json:"mac_utilization"`
	SweepUtilization float64            `json:"sweep_utilization"`
	OffchipBytes     int64              `json:"offchip_bytes"`
	OffchipByStream  map[string]int64   `json:"offchip_bytes_by_stream"`
	OnchipBytes      int64              `json:"onchip_bytes"`
	EnergyJ          float64            `json:"energy_j"`
	EnergyBreakdownJ map[string]float64 `json:"energy_breakdown_j"`
	PowerW           float64            `json:"power_w"`
	PhaseCycles      map[string]int64   `json:"phase_cycles"`
	StallCycles      map[string]int64   `json:"stall_cycles"`
	Units            map[string]Unit    `json:"units"`
	MemoryBusy       float64            `json:"memory_busy"`
	Resources        Resources          `json:"resources"`
	GPU              *GPUComparison     `json:"gpu_anchor,omitempty"`
	Baseline         *Baseline          `json:"dense_baseline,omitempty"`
}

// Baseline compares a SWAT run with the dense baseline on the same budget.
type Baseline struct {
	DenseCycles       int64   `json:"cycles"`
	DenseLatencyS     float64 `json:"latency_s"`
	DenseEnergyJ      float64 `json:"energy_j"`
	DenseOffchipBytes int64   `json:"offchip_bytes"`
	Speedup           float64 `json:"swat_speedup"`      // dense latency / SWAT latency
	EnergyRatio       float64 `json:"swat_energy_ratio"` // dense energy / SWAT energy
}

// Unit is one component's activity: for the PE array the cycles it issued
// key slices and the cycles it waited on streams; for loaders, the writer
// and the bandwidth memory the core cycles during which at least one of
// their requests was in flight.
type Unit struct {
	BusyCycles  int64 `json:"busy_cycles"`
	StallCycles int64 `json:"stall_cycles"`
	Bytes       int64 `json:"bytes,omitempty"`
	Requests    int64 `json:"requests,omitempty"`
}

func (p *platform) report() Report {
	d, te := p.d, p.core.Engine()
	hz := d.ClockHz()
	end := math.Max(float64(p.writer.LastDone), float64(te.Cycle())/hz)
	r := Report{Design: d.Name, Arch: d.Arch, Mode: "functional", ClockMHz: d.HW.ClockMHz}
	if !p.mem.functional {
		r.Mode = "timing-only"
	}
	r.CoreCycles = te.Cycle()
	r.Cycles = int64(math.Ceil(end*hz - 1e-6))
	r.LatencyS = float64(r.Cycles) / hz
	r.UsefulMACs = UsefulMACs(d)
	r.MACsPerCycle = 2 * d.HW.PEs * d.HW.VectorWidth
	r.MACUtilization = float64(r.UsefulMACs) / (float64(r.Cycles) * float64(r.MACsPerCycle))
	r.SweepUtilization = float64(r.UsefulMACs) / (float64(te.MACCycles) * float64(r.MACsPerCycle))
	p.fillTraffic(&r)
	p.fillUnits(&r)
	r.Resources, _ = EstimateResources(d) // a validated design always has an estimate
	fillEnergy(d, &r)
	r.GPU = compareGPU(d, &r)
	return r
}

// UsefulMACs is 2 * head_dim * (attended key count summed over rows and
// heads): the multiply-accumulates attention needs (QK^T and SV).
func UsefulMACs(d *dataflow.Design) int64 {
	m := d.Mask()
	var keys int64
	for i := 0; i < m.N; i++ {
		keys += int64(m.Count(i))
	}
	return 2 * int64(d.Model.HeadDim) * keys * int64(d.Model.Heads)
}

func (p *platform) fillTraffic(r *Report) {
	r.OffchipByStream = map[string]int64{
		"q": int64(p.loaders[0].BytesRead), "k": int64(p.loaders[1].BytesRead),
		"v": int64(p.loaders[2].BytesRead), "o": int64(p.writer.BytesWritten),
	}
	for _, b := range r.OffchipByStream {
		r.OffchipBytes += b
	}
	r.OnchipBytes = OnchipBytes(p.sched, int64(p.lay.rowBytes)) * int64(p.d.Model.Heads)
	if busy := p.mem.channelBusy(); len(busy) > 0 && r.LatencyS > 0 {
		var s float64
		for _, b := range busy {
			s += b
		}
		r.MemoryBusy = s / float64(len(busy)) / r.LatencyS
	}
}

// OnchipBytes counts one head's K/V buffer traffic: every swept key read
// from the ring or pinned buffer (K and V rows), every streamed key of a
// windowed SWAT block written into the ring, every preloaded key written
// into the pinned buffer.
func OnchipBytes(s *dataflow.Schedule, rowBytes int64) int64 {
	var n int64
	for b := 0; b < s.Blocks(); b++ {
		blk := s.Block(0, b)
		n += int64(blk.Preload)
		for _, sg := range blk.Segs {
			if sg.Src != dataflow.SrcStream || (!blk.Global && !s.Dense) {
				n += int64(sg.Len())
			}
		}
	}
	return 2 * rowBytes * n
}

func (p *platform) fillUnits(r *Report) {
	te := p.core.Engine()
	r.PhaseCycles = map[string]int64{}
	r.StallCycles = map[string]int64{}
	for s := dataflow.StreamQ; s <= dataflow.StreamO; s++ {
		r.StallCycles[s.String()] = te.Stall[s]
	}
	r.Units = map[string]Unit{"Accel.Core.PEArray": {BusyCycles: te.MACCycles, StallCycles: te.Stall[0] + te.Stall[1] + te.Stall[2]}}
	for _, l := range p.loaders {
		r.Units[l.Name()] = Unit{Bytes: int64(l.BytesRead), Requests: int64(l.Requests)}
	}
	r.Units[p.writer.Name()] = Unit{Bytes: int64(p.writer.BytesWritten), Requests: int64(p.writer.Requests)}
	for name, t := range p.activity() {
		u := r.Units[name]
		u.BusyCycles = int64(math.Round(float64(t) * p.d.ClockHz()))
		r.Units[name] = u
	}
	for ph, c := range p.phaseCycles {
		r.PhaseCycles[dataflow.Phase(ph).String()] = c
	}
}
