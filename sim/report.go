package sim

import (
	"fmt"
	"math"

	"github.com/swatsim/swatsim/dataflow"
)

// Report is the summary of a run; its JSON keys are a contract
// (docs/model.md: "Reading the report").
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
	Cores            int                `json:"cores"`
	Rounds           int                `json:"rounds"`
	IdleCores        int                `json:"idle_cores_last_round"`
	Device           string             `json:"device"`
	Fits             bool               `json:"fits"`
	DeviceUse        Utilization        `json:"device_utilization"`
	GPU              *GPUComparison     `json:"gpu_anchor,omitempty"`
	Baseline         *Baseline          `json:"dense_baseline,omitempty"`
	VsDense          *Ratios            `json:"vs_dense,omitempty"`
	VsFlash          *Ratios            `json:"vs_flash,omitempty"`
}

// Ratios compares a run with a baseline on the same budget: each ratio
// is baseline / this run (> 1: this run is better).
type Ratios struct {
	Mode         string  `json:"mode"` // the baseline's report mode: timing-only or analytic
	Cycles       int64   `json:"cycles"`
	LatencyS     float64 `json:"latency_s"`
	EnergyJ      float64 `json:"energy_j"`
	OffchipBytes int64   `json:"offchip_bytes"`
	Latency      float64 `json:"latency_ratio"`
	Energy       float64 `json:"energy_ratio"`
	Offchip      float64 `json:"offchip_bytes_ratio"`
}

// CompareWith returns the ratios of baseline b to r.
func (r *Report) CompareWith(b *Report) *Ratios {
	return &Ratios{Mode: b.Mode, Cycles: b.Cycles, LatencyS: b.LatencyS, EnergyJ: b.EnergyJ, OffchipBytes: b.OffchipBytes,
		Latency: b.LatencyS / r.LatencyS, Energy: b.EnergyJ / r.EnergyJ, Offchip: float64(b.OffchipBytes) / float64(r.OffchipBytes)}
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

func (p *platform) report() (Report, error) {
	d := p.d
	hz := d.ClockHz()
	r := Report{Design: d.Name, Arch: d.Arch, Mode: "functional", ClockMHz: d.HW.ClockMHz}
	if !p.mem.functional {
		r.Mode = "timing-only"
	}
	end := 0.0
	var macCycles int64
	for _, cs := range p.cores {
		end = math.Max(end, math.Max(float64(cs.writer.LastDone), float64(cs.seq.Cycle())/hz))
		r.CoreCycles = max(r.CoreCycles, cs.seq.Cycle())
		macCycles += cs.seq.MACCycles
	}
	r.Cycles = int64(math.Ceil(end*hz - 1e-6))
	fillRates(d, &r, macCycles)
	p.fillTraffic(&r)
	p.fillUnits(&r)
	err := fillDesign(d, p.sched, &r, p.onchip)
	return r, err
}

// fillRates sets the latency, the useful MACs and the utilisations from
// r.Cycles and the cycles the PE arrays issued keys (all cores).
func fillRates(d *dataflow.Design, r *Report, macCycles int64) {
	r.LatencyS = float64(r.Cycles) / d.ClockHz()
	r.UsefulMACs = UsefulMACs(d)
	perCore := 2 * d.HW.PEs * d.HW.VectorWidth
	r.MACsPerCycle = perCore * d.HW.Cores
	r.MACUtilization = float64(r.UsefulMACs) / (float64(r.Cycles) * float64(r.MACsPerCycle))
	r.SweepUtilization = float64(r.UsefulMACs) / (float64(macCycles) * float64(perCore))
}

// fillDesign sets what follows from the design and the traffic: cores,
// resources, the device fit, energy and the GPU comparison.
func fillDesign(d *dataflow.Design, s *dataflow.Schedule, r *Report, on Onchip) error {
	r.Cores, r.Rounds, r.IdleCores = d.HW.Cores, s.Rounds(), s.IdleCores()
	var err error
	if r.Resources, err = EstimateResources(d); err != nil {
		return fmt.Errorf("resource estimate: %v", err)
	}
	r.Device = d.Device
	r.DeviceUse, r.Fits = Utilize(d.Card(), r.Resources)
	fillEnergy(d, r, on)
	r.GPU = compareGPU(d, r)
	return nil
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
	r.OffchipByStream = map[string]int64{"q": 0, "k": 0, "v": 0, "o": 0}
	for _, cs := range p.cores {
		for i, name := range []string{"q", "k", "v"} {
			r.OffchipByStream[name] += int64(cs.loaders[i].BytesRead)
		}
		r.OffchipByStream["o"] += int64(cs.writer.BytesWritten)
	}
	for _, b := range r.OffchipByStream {
		r.OffchipBytes += b
	}
	p.onchip = CountOnchip(p.sched, int64(p.lay.rowBytes))
	r.OnchipBytes = p.onchip.Total()
	if busy := p.mem.channelBusy(); len(busy) > 0 && r.LatencyS > 0 {
		var s float64
		for _, b := range busy {
			s += b
		}
		r.MemoryBusy = s / float64(len(busy)) / r.LatencyS
	}
}

func (p *platform) fillUnits(r *Report) {
	r.PhaseCycles = map[string]int64{}
	r.StallCycles = map[string]int64{}
	r.Units = map[string]Unit{}
	for _, cs := range p.cores {
		seq := cs.seq
		for s := dataflow.StreamQ; s <= dataflow.StreamO; s++ {
			r.StallCycles[s.String()] += seq.Stall[s]
		}
		r.Units[cs.core.Name()+".PEArray"] = Unit{BusyCycles: seq.MACCycles, StallCycles: seq.Stall[0] + seq.Stall[1] + seq.Stall[2]}
		for _, l := range cs.loaders {
			r.Units[l.Name()] = Unit{Bytes: int64(l.BytesRead), Requests: int64(l.Requests)}
		}
		r.Units[cs.writer.Name()] = Unit{Bytes: int64(cs.writer.BytesWritten), Requests: int64(cs.writer.Requests)}
	}
	for name, t := range p.activity() {
		u := r.Units[name]
		u.BusyCycles = int64(math.Round(float64(t) * p.d.ClockHz()))
		r.Units[name] = u
	}
	for ph, c := range p.phaseCycles {
		r.PhaseCycles[dataflow.Phase(ph).String()] = c
	}
}
