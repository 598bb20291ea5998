package sim

import (
	"fmt"
	"math"

	"github.com/swatsim/swatsim/dataflow"
	"github.com/swatsim/swatsim/sim/bwmem"
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

// report is the run's report from its design and its counters.
func (p *platform) report() (Report, error) {
	return reportOf(p.d, p.sched, p.tally(), p.mem.functional, int64(p.lay.rowBytes))
}

// reportOf computes a report from the design, its schedule and a tally
// (of a run, or extrapolated by the shortcut).
func reportOf(d *dataflow.Design, s *dataflow.Schedule, t *tally, functional bool, rowBytes int64) (Report, error) {
	hz := d.ClockHz()
	r := Report{Design: d.Name, Arch: d.Arch, Mode: "functional", ClockMHz: d.HW.ClockMHz}
	if !functional {
		r.Mode = "timing-only"
	}
	var macCycles int64
	for _, c := range t.cores {
		r.Cycles = max(r.Cycles, c.writerDone, int64(math.Ceil(float64(c.seqCycle)/hz*hz-1e-6)))
		r.CoreCycles = max(r.CoreCycles, c.seqCycle)
		macCycles += c.macCycles
	}
	fillRates(d, &r, macCycles)
	on := CountOnchip(s, rowBytes)
	fillTraffic(&r, t, on)
	fillUnits(d, &r, t)
	err := fillDesign(d, s, &r, on)
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

// fillTraffic sets the off-chip bytes by stream, the on-chip bytes and
// the memory's busy fraction.
func fillTraffic(r *Report, t *tally, on Onchip) {
	r.OffchipByStream = map[string]int64{"q": 0, "k": 0, "v": 0, "o": 0}
	for _, c := range t.cores {
		for i, name := range []string{"q", "k", "v"} {
			r.OffchipByStream[name] += c.loaderBytes[i]
		}
		r.OffchipByStream["o"] += c.writerBytes
	}
	for _, b := range r.OffchipByStream {
		r.OffchipBytes += b
	}
	r.OnchipBytes = on.Total()
	if len(t.chanBytes) > 0 && r.LatencyS > 0 {
		var s float64
		for _, b := range t.chanBytes {
			s += bwmem.Seconds(uint64(b), t.chanBps)
		}
		r.MemoryBusy = s / float64(len(t.chanBytes)) / r.LatencyS
	}
}

// fillUnits sets the phase and stall cycles and every unit's activity.
func fillUnits(d *dataflow.Design, r *Report, t *tally) {
	r.PhaseCycles = map[string]int64{}
	r.StallCycles = map[string]int64{}
	r.Units = map[string]Unit{}
	for i, c := range t.cores {
		pre := t.coreName[i]
		for s := dataflow.StreamQ; s <= dataflow.StreamO; s++ {
			r.StallCycles[s.String()] += c.stall[s]
		}
		r.Units[pre+coreName+".PEArray"] = Unit{BusyCycles: c.macCycles, StallCycles: c.stall[0] + c.stall[1] + c.stall[2]}
		for s := range loaderNames {
			r.Units[pre+loaderNames[s]] = Unit{BusyCycles: c.loaderBusy[s], Bytes: c.loaderBytes[s], Requests: c.loaderReqs[s]}
		}
		r.Units[pre+writerName] = Unit{BusyCycles: c.writerBusy, Bytes: c.writerBytes, Requests: c.writerReqs}
	}
	if t.memName != "" {
		r.Units[t.memName] = Unit{BusyCycles: int64(math.Round(t.memBusy * d.ClockHz()))}
	}
	for ph, c := range t.phases {
		r.PhaseCycles[dataflow.Phase(ph).String()] = c
	}
}
