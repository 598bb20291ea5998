package kv

import (
	"fmt"
	"math"

	"github.com/swatsim/swatsim/sim/kv/policy"
	"github.com/swatsim/swatsim/sim/kv/timing"
)

// StepMetrics are one decode step's metrics, averaged over heads.
type StepMetrics struct {
	T          int
	RelL2      float64 // ||o - o_full|| / ||o_full||
	Cosine     float64
	KeptMass   float64 // full-attention probability of the attended keys
	Recall     float64 // fraction of the full top-k keys attended
	CAOTEError float64 // CAOTE error of this step's evictions (summed per head)
	HWRelL2    float64 // the fixed-point merged output's error against full attention (arith on)
	HWArith    float64 // the fixed-point output's error against the policy's own float64 output
	Attended   int     // keys attended, summed over heads
	Bytes      [timing.NumTiers]int64
	Useful     [timing.NumTiers]int64
	ByCategory [numCats][timing.NumTiers]int64
	Cycles     float64
	Phases     timing.Phases
}

// Result is one policy's run: aggregates over decode steps and heads, and
// the per-step metrics.
type Result struct {
	Policy string
	Budget int
	// Steps are the per-step metrics, in decode order.
	Steps []StepMetrics
	// Tiers names the tiers, in the order of StepMetrics.Bytes.
	Tiers [timing.NumTiers]string
	// ClockHz is the accelerator clock.
	ClockHz float64
	// RecallK is the k of the top-k recall.
	RecallK int
	// PeakBlocks is the largest number of blocks each off-chip tier held.
	PeakBlocks [timing.NumTiers]int
	// Warnings note modelling caveats found during the run.
	Warnings []string
	// HW reports whether the fixed-point merge path ran.
	HW bool
	// Notes report decisions the policy took (duo: its retrieval heads).
	Notes []string

	headCount int
}

func (s *Simulator) result(in *instance) *Result {
	r := &Result{
		Policy: in.spec.Policy, Budget: in.spec.Budget, Steps: in.steps,
		Tiers: s.cfg.TierNames(), ClockHz: float64(s.cfg.freq()), RecallK: s.cfg.Metrics.RecallK, HW: in.hw != nil,
		headCount: s.data.Q.H,
	}
	if !policy.UsesBudget(r.Policy) {
		r.Budget = s.data.Q.N
	}
	if d, ok := in.pol.(policy.Describer); ok {
		r.Notes = append(r.Notes, d.Describe())
	}
	for _, i := range []int{timing.OffChip, timing.Host} {
		t := in.mem.tables[i]
		r.PeakBlocks[i] = t.PeakBlocks()
		capacity := []int64{0, s.cfg.HBM.CapacityBytes, s.cfg.Host.CapacityBytes}[i]
		if used := int64(t.PeakBlocks()) * t.Geometry().BlockBytes(); used > capacity {
			r.Warnings = append(r.Warnings, fmt.Sprintf("%s: peak use %d B in %d partly filled blocks exceeds its capacity %d B (eviction leaves holes in blocks)",
				r.Tiers[i], used, t.PeakBlocks(), capacity))
		}
	}
	return r
}

// mean returns the mean of f over the steps.
func (r *Result) mean(f func(*StepMetrics) float64) float64 {
	if len(r.Steps) == 0 {
		return math.NaN()
	}
	var s float64
	for i := range r.Steps {
		s += f(&r.Steps[i])
	}
	return s / float64(len(r.Steps))
}

// RelL2Mean is the mean over steps and heads of ||o - o_full|| / ||o_full||.
func (r *Result) RelL2Mean() float64 { return r.mean(func(s *StepMetrics) float64 { return s.RelL2 }) }

// RelL2Max is the largest per-step (head-mean) relative error.
func (r *Result) RelL2Max() float64 {
	m := 0.0
	for _, s := range r.Steps {
		m = math.Max(m, s.RelL2)
	}
	return m
}

// CosineMean is the mean cosine of o and o_full.
func (r *Result) CosineMean() float64 {
	return r.mean(func(s *StepMetrics) float64 { return s.Cosine })
}

// KeptMassMean is the mean full-attention mass of the attended keys.
func (r *Result) KeptMassMean() float64 {
	return r.mean(func(s *StepMetrics) float64 { return s.KeptMass })
}

// RecallMean is the mean top-k recall.
func (r *Result) RecallMean() float64 {
	return r.mean(func(s *StepMetrics) float64 { return s.Recall })
}

// CAOTEErrorMean is the mean CAOTE error of a step's evictions per head.
func (r *Result) CAOTEErrorMean() float64 {
	return r.mean(func(s *StepMetrics) float64 { return s.CAOTEError })
}

// HWRelL2Mean is the fixed-point merged output's mean relative error.
func (r *Result) HWRelL2Mean() float64 {
	return r.mean(func(s *StepMetrics) float64 { return s.HWRelL2 })
}

// HWArithMean is the fixed-point output's mean relative error against the
// policy's own float64 output: the arithmetic's share of the error.
func (r *Result) HWArithMean() float64 {
	return r.mean(func(s *StepMetrics) float64 { return s.HWArith })
}

// AttendedMean is the mean number of keys a head attends to per step.
func (r *Result) AttendedMean() float64 {
	return r.mean(func(s *StepMetrics) float64 { return float64(s.Attended) }) / float64(r.heads())
}

func (r *Result) heads() int {
	return max(1, r.headCount)
}

// BytesPerStep is the mean bytes tier i moves per step.
func (r *Result) BytesPerStep(i int) float64 {
	return r.mean(func(s *StepMetrics) float64 { return float64(s.Bytes[i]) })
}

// UsefulBytesPerStep is the mean bytes of rows actually needed per step.
func (r *Result) UsefulBytesPerStep(i int) float64 {
	return r.mean(func(s *StepMetrics) float64 { return float64(s.Useful[i]) })
}

// CategoryBytesPerStep is the mean bytes of category c in tier i.
func (r *Result) CategoryBytesPerStep(c, i int) float64 {
	return r.mean(func(s *StepMetrics) float64 { return float64(s.ByCategory[c][i]) })
}

// CyclesPerStep is the mean cycles of a decode step.
func (r *Result) CyclesPerStep() float64 {
	return r.mean(func(s *StepMetrics) float64 { return s.Cycles })
}

// PhasesPerStep is the mean cycles of each phase.
func (r *Result) PhasesPerStep() timing.Phases {
	return timing.Phases{
		Total:     r.CyclesPerStep(),
		PreSelect: r.mean(func(s *StepMetrics) float64 { return s.Phases.PreSelect }),
		Select:    r.mean(func(s *StepMetrics) float64 { return s.Phases.Select }),
		Attention: r.mean(func(s *StepMetrics) float64 { return s.Phases.Attention }),
		Merge:     r.mean(func(s *StepMetrics) float64 { return s.Phases.Merge }),
	}
}

// TokensPerS is the decode rate of this layer alone: clock / mean cycles.
func (r *Result) TokensPerS() float64 { return r.ClockHz / r.CyclesPerStep() }
