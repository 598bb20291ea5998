package kv

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

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
	RelL2ErrorMean     float64                       `json:"rel_l2_error_mean"`
	RelL2ErrorMax      float64                       `json:"rel_l2_error_max_step"`
	CosineMean         float64                       `json:"cosine_mean"`
	KeptMassMean       float64                       `json:"kept_mass_mean"`
	TopKRecallMean     float64                       `json:"topk_recall_mean"`
	TopKRecallK        int                           `json:"topk_recall_k"`
	CAOTEErrorMean     float64                       `json:"caote_error_mean"`
	HWRelL2ErrorMean   *float64                      `json:"hw_rel_l2_error_mean,omitempty"`
	HWArithErrorMean   *float64                      `json:"hw_arith_rel_l2_error_mean,omitempty"`
	AttendedKeysMean   float64                       `json:"attended_keys_per_head_mean"`
	BytesPerStep       map[string]float64            `json:"bytes_per_step"`
	UsefulBytesPerStep map[string]float64            `json:"useful_bytes_per_step"`
	BytesPerStepBy     map[string]map[string]float64 `json:"bytes_per_step_by_phase"`
	CyclesPerStep      float64                       `json:"cycles_per_step"`
	CyclesPerStepBy    timing.Phases                 `json:"cycles_per_step_by_phase"`
	TokensPerS         float64                       `json:"tokens_per_s"`
	PeakBlocks         map[string]int                `json:"peak_blocks"`
	Warnings           []string                      `json:"warnings,omitempty"`
}

// StepRecord is one step of a report's per-step series.
type StepRecord struct {
	T          int              `json:"t"`
	RelL2      float64          `json:"rel_l2_error"`
	Cosine     float64          `json:"cosine"`
	KeptMass   float64          `json:"kept_mass"`
	Recall     float64          `json:"topk_recall"`
	CAOTEError float64          `json:"caote_error"`
	HWRelL2    *float64         `json:"hw_rel_l2_error,omitempty"`
	Bytes      map[string]int64 `json:"bytes"`
	Cycles     float64          `json:"cycles"`
	Phases     timing.Phases    `json:"cycles_by_phase"`
}

// Summarize returns the result's aggregates.
func (r *Result) Summarize() Summary {
	s := Summary{
		Policy: r.Policy, Budget: r.Budget,
		RelL2ErrorMean: r.RelL2Mean(), RelL2ErrorMax: r.RelL2Max(), CosineMean: r.CosineMean(),
		KeptMassMean: r.KeptMassMean(), TopKRecallMean: r.RecallMean(), TopKRecallK: r.RecallK,
		CAOTEErrorMean: r.CAOTEErrorMean(), AttendedKeysMean: r.AttendedMean(),
		BytesPerStep: map[string]float64{}, UsefulBytesPerStep: map[string]float64{},
		BytesPerStepBy: map[string]map[string]float64{}, CyclesPerStep: r.CyclesPerStep(),
		CyclesPerStepBy: r.PhasesPerStep(), TokensPerS: r.TokensPerS(), PeakBlocks: map[string]int{},
		Warnings: r.Warnings,
	}
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

// Records returns the per-step series.
func (r *Result) Records() []StepRecord {
	out := make([]StepRecord, len(r.Steps))
	for k, st := range r.Steps {
		rec := StepRecord{
			T: st.T, RelL2: st.RelL2, Cosine: st.Cosine, KeptMass: st.KeptMass, Recall: st.Recall,
			CAOTEError: st.CAOTEError, Bytes: map[string]int64{}, Cycles: st.Cycles, Phases: st.Phases,
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

// WriteJSON writes v as indented JSON to path atomically: a temporary file
// in the same directory, synced and renamed over path, so that an error
// leaves no partial file.
func WriteJSON(path string, v any) (err error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("report %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("report %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("report %s: %w", path, err)
	}
	if err = os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("report %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("report %s: %w", path, err)
	}
	return nil
}
