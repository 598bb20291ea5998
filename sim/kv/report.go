package kv

import (
	"slices"

	"github.com/swatsim/swatsim/sim/kv/timing"
)

// Input describes where Q, K and V came from.
type Input struct {
	Source  string `json:"source"` // "npy" or "synthetic"
	Q       string `json:"q,omitempty"`
	K       string `json:"k,omitempty"`
	V       string `json:"v,omitempty"`
	Layer   *int   `json:"layer,omitempty"`
	Seed    *int64 `json:"seed,omitempty"`
	Heads   int    `json:"heads"`
	KVHeads int    `json:"kv_heads"`
	Tokens  int    `json:"tokens"`
	HeadDim int    `json:"head_dim"`
	Prompt  int    `json:"prompt"`
	Steps   int    `json:"decode_steps"`
}

// Summary is a Result's aggregates as written to reports: means over
// decode steps and heads, bytes per step by tier name.
type Summary struct {
	Policy             string                        `json:"policy"`
	Budget             int                           `json:"budget"`
	RelL2ErrorMean     Number                        `json:"rel_l2_error_mean"`
	RelL2ErrorMax      Number                        `json:"rel_l2_error_max_step"`
	CosineMean         Number                        `json:"cosine_mean"`
	KeptMassMean       Number                        `json:"kept_mass_mean"`
	TopKRecallMean     Number                        `json:"topk_recall_mean"`
	TopKRecallK        int                           `json:"topk_recall_k"`
	CAOTEErrorMean     Number                        `json:"caote_error_mean"`
	HWRelL2ErrorMean   *float64                      `json:"hw_rel_l2_error_mean,omitempty"`
	HWArithErrorMean   *float64                      `json:"hw_arith_rel_l2_error_mean,omitempty"`
	AttendedKeysMean   Number                        `json:"attended_keys_per_head_mean"`
	BytesPerStep       map[string]float64            `json:"bytes_per_step"`
	UsefulBytesPerStep map[string]float64            `json:"useful_bytes_per_step"`
	BytesPerStepBy     map[string]map[string]float64 `json:"bytes_per_step_by_phase"`
	CyclesPerStep      Number                        `json:"cycles_per_step"`
	CyclesPerStepBy    timing.Phases                 `json:"cycles_per_step_by_phase"`
	TokensPerS         Number                        `json:"tokens_per_s"`
	PeakBlocks         map[string]int                `json:"peak_blocks"`
	Warnings           []string                      `json:"warnings,omitempty"`
	Notes              []string                      `json:"notes,omitempty"`
}

// StepRecord is one step of a report's per-step series.
type StepRecord struct {
	T          int              `json:"t"`
	RelL2      Number           `json:"rel_l2_error"`
	Cosine     Number           `json:"cosine"`
	KeptMass   Number           `json:"kept_mass"`
	Recall     Number           `json:"topk_recall"`
	CAOTEError Number           `json:"caote_error"`
	HWRelL2    *float64         `json:"hw_rel_l2_error,omitempty"`
	Bytes      map[string]int64 `json:"bytes"`
	Cycles     float64          `json:"cycles"`
	Phases     timing.Phases    `json:"cycles_by_phase"`
}

// Summarize returns the result's aggregates.
func (r *Result) Summarize() Summary {
	s := Summary{
		Policy: r.Policy, Budget: r.Budget,
		RelL2ErrorMean: Number(r.RelL2Mean()), RelL2ErrorMax: Number(r.RelL2Max()), CosineMean: Number(r.CosineMean()),
		KeptMassMean: Number(r.KeptMassMean()), TopKRecallMean: Number(r.RecallMean()), TopKRecallK: r.RecallK,
		CAOTEErrorMean: Number(r.CAOTEErrorMean()), AttendedKeysMean: Number(r.AttendedMean()),
		BytesPerStep: map[string]float64{}, UsefulBytesPerStep: map[string]float64{},
		BytesPerStepBy: map[string]map[string]float64{}, CyclesPerStep: Number(r.CyclesPerStep()),
		CyclesPerStepBy: r.PhasesPerStep(), TokensPerS: Number(r.TokensPerS()), PeakBlocks: map[string]int{},
		Warnings: slices.Clone(r.Warnings), Notes: r.Notes,
	}
	s.Warnings = append(s.Warnings, s.nullWarnings()...)
	if r.HW {
		e, a := r.HWRelL2Mean(), r.HWArithMean()
		s.HWRelL2ErrorMean, s.HWArithErrorMean = &e, &a
	}
	cats := [numCats]string{"background", "pre_select", "gather"}
	for i, name := range r.Tiers {
		s.BytesPerStep[name] = r.BytesPerStep(i)
		s.UsefulBytesPerStep[name] = r.UsefulBytesPerStep(i)
		s.BytesPerStepBy[name] = map[string]float64{}
		for c, cn := range cats {
			s.BytesPerStepBy[name][cn] = r.CategoryBytesPerStep(c, i)
		}
		if i != timing.OnChip {
			s.PeakBlocks[name] = r.PeakBlocks[i]
		}
	}
	return s
}

// nullWarnings explains every summary value that JSON writes as null.
func (s *Summary) nullWarnings() []string {
	var out []string
	for _, kx := range []struct {
		key string
		x   Number
	}{
		{"rel_l2_error_mean", s.RelL2ErrorMean}, {"rel_l2_error_max_step", s.RelL2ErrorMax},
		{"cosine_mean", s.CosineMean}, {"kept_mass_mean", s.KeptMassMean},
		{"topk_recall_mean", s.TopKRecallMean}, {"caote_error_mean", s.CAOTEErrorMean},
		{"attended_keys_per_head_mean", s.AttendedKeysMean}, {"cycles_per_step", s.CyclesPerStep},
		{"tokens_per_s", s.TokensPerS},
	} {
		if w := nullWarning(kx.key, float64(kx.x)); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// Records returns the per-step series.
func (r *Result) Records() []StepRecord {
	out := make([]StepRecord, len(r.Steps))
	for k, st := range r.Steps {
		rec := StepRecord{
			T: st.T, RelL2: Number(st.RelL2), Cosine: Number(st.Cosine), KeptMass: Number(st.KeptMass), Recall: Number(st.Recall),
			CAOTEError: Number(st.CAOTEError), Bytes: map[string]int64{}, Cycles: st.Cycles, Phases: st.Phases,
		}
		if r.HW {
			e := st.HWRelL2
			rec.HWRelL2 = &e
		}
		for i, name := range r.Tiers {
			rec.Bytes[name] = st.Bytes[i]
		}
		out[k] = rec
	}
	return out
}

// Report is the JSON document of `swatsim kv --report`: a single run's
// summary fields at the top level with its per-step series, or, with
// --compare, one summary per row.
type Report struct {
	*Summary
	Rows        []Summary    `json:"rows,omitempty"`
	PerStep     []StepRecord `json:"per_step,omitempty"`
	Input       Input        `json:"input"`
	Config      Config       `json:"config"`
	WallSeconds float64      `json:"wall_seconds"`
}
