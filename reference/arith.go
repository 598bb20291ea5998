package reference

import (
	"fmt"
	"math/bits"
	"sort"
	"strconv"
	"strings"
)

// Arith is the arithmetic of a datapath: either the float64 semantic path
// or the fixed-point hardware path whose widths are named here. Every field
// is defined bit for bit in ARITHMETIC.md.
type Arith struct {
	Name      string `mapstructure:"name"`       // preset name or "custom"
	Float     bool   `mapstructure:"float"`      // true: the float64 path; the widths are unused
	InBits    int    `mapstructure:"in_bits"`    // Q, K, V and O codes: signed, InBits wide
	InFrac    int    `mapstructure:"in_frac"`    // fraction bits of Q, K, V and O (the cap when AutoScale)
	AutoScale bool   `mapstructure:"auto_scale"` // per-tensor power-of-two scale: see ARITHMETIC.md
	CoefBits  int    `mapstructure:"coef_bits"`  // unsigned width of the score coefficient c
	CoefFrac  int    `mapstructure:"coef_frac"`  // fraction bits of c = scale*log2(e)
	ScoreBits int    `mapstructure:"score_bits"` // signed width of the base-2 logit t
	ScoreFrac int    `mapstructure:"score_frac"` // fraction bits of t
	LUTBits   int    `mapstructure:"lut_bits"`   // exp LUT has 2^LUTBits+1 entries
	Interp    bool   `mapstructure:"interp"`     // linear interpolation between LUT entries
	ProbFrac  int    `mapstructure:"prob_frac"`  // p and alpha are UQ1.ProbFrac
	SumBits   int    `mapstructure:"sum_bits"`   // unsigned width of the row sum l
	AccBits   int    `mapstructure:"acc_bits"`   // signed width of each output accumulator
	RecipBits int    `mapstructure:"recip_bits"` // quotient bits of the reciprocal 1/l
}

// presets holds the named arithmetics.
var presets = map[string]Arith{
	"float64": {Name: "float64", Float: true},
	"fixed16": {Name: "fixed16", InBits: 16, InFrac: 12, AutoScale: true, CoefBits: 18, CoefFrac: 16,
		ScoreBits: 24, ScoreFrac: 12, LUTBits: 6, Interp: true, ProbFrac: 15,
		SumBits: 40, AccBits: 48, RecipBits: 24},
	"fixed12": {Name: "fixed12", InBits: 12, InFrac: 8, AutoScale: true, CoefBits: 16, CoefFrac: 14,
		ScoreBits: 20, ScoreFrac: 8, LUTBits: 5, Interp: false, ProbFrac: 11,
		SumBits: 32, AccBits: 40, RecipBits: 16},
	"fixed8": {Name: "fixed8", InBits: 8, InFrac: 5, AutoScale: true, CoefBits: 12, CoefFrac: 10,
		ScoreBits: 16, ScoreFrac: 6, LUTBits: 4, Interp: false, ProbFrac: 8,
		SumBits: 28, AccBits: 32, RecipBits: 12},
}

// PresetNames lists the named arithmetics, sorted.
func PresetNames() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Preset returns a named arithmetic.
func Preset(name string) (Arith, error) {
	a, ok := presets[name]
	if !ok {
		return Arith{}, fmt.Errorf("arith %q: unknown preset; allowed: %s, or custom:k=v,...",
			name, strings.Join(PresetNames(), ", "))
	}
	return a, nil
}

// ParseArith accepts a preset name or "custom:key=value,..." where keys are
// the mapstructure names of Arith's fields, applied on top of fixed16.
func ParseArith(spec string) (Arith, error) {
	if !strings.HasPrefix(spec, "custom:") {
		return Preset(spec)
	}
	a := presets["fixed16"]
	a.Name = "custom"
	seen := map[string]bool{}
	for _, kv := range strings.Split(strings.TrimPrefix(spec, "custom:"), ",") {
		k, _, _ := strings.Cut(strings.TrimSpace(kv), "=")
		if seen[k] {
			return Arith{}, fmt.Errorf("arith custom field %s is given twice; give each field once", k)
		}
		seen[k] = true
		if err := a.set(kv); err != nil {
			return Arith{}, err
		}
	}
	if name, err := a.check(); err != nil {
		if !seen[name] {
			err = fmt.Errorf("%w (%s was not given: custom: fields start from fixed16's)", err, name)
		}
		return a, err
	}
	return a, nil
}

func (a *Arith) set(kv string) error {
	k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
	if !ok {
		return fmt.Errorf("arith custom field %q: want key=value", kv)
	}
	if k == "interp" || k == "auto_scale" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("arith.%s = %q: want true or false", k, v)
		}
		*map[string]*bool{"interp": &a.Interp, "auto_scale": &a.AutoScale}[k] = b
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("arith.%s = %q: want an integer", k, v)
	}
	f := a.intField(k)
	if f == nil {
		return fmt.Errorf("arith.%s: unknown field; allowed: %s, interp", k,
			"in_bits, in_frac, coef_bits, coef_frac, score_bits, score_frac, lut_bits, prob_frac, sum_bits, acc_bits, recip_bits, interp, auto_scale")
	}
	*f = n
	return nil
}

func (a *Arith) intField(k string) *int {
	return map[string]*int{
		"in_bits": &a.InBits, "in_frac": &a.InFrac, "coef_bits": &a.CoefBits,
		"coef_frac": &a.CoefFrac, "score_bits": &a.ScoreBits, "score_frac": &a.ScoreFrac,
		"lut_bits": &a.LUTBits, "prob_frac": &a.ProbFrac, "sum_bits": &a.SumBits,
		"acc_bits": &a.AccBits, "recip_bits": &a.RecipBits,
	}[k]
}

type rangeCheck struct {
	name   string
	v      int
	lo, hi int
	bounds string // the bounds as formulas of other fields ("" when fixed)
}

// Validate checks every width against the range the datapath supports:
// first the widths with fixed ranges, then those bounded by other fields
// (the message names the fields a bound comes from).
func (a Arith) Validate() error {
	_, err := a.check()
	return err
}

// check is Validate that also names the field in error.
func (a Arith) check() (string, error) {
	if a.Float {
		return "", nil
	}
	checks := []rangeCheck{
		{"in_bits", a.InBits, 4, 24, ""},
		{"coef_bits", a.CoefBits, 4, 24, ""},
		{"score_bits", a.ScoreBits, 8, 40, ""},
		{"lut_bits", a.LUTBits, 1, 12, ""},
		{"prob_frac", a.ProbFrac, 4, 30, ""},
		{"recip_bits", a.RecipBits, 4, 48, ""},
		{"in_frac", a.InFrac, 0, a.InBits - 2, "[0, in_bits - 2]"},
		{"coef_frac", a.CoefFrac, 0, a.CoefBits, "[0, coef_bits]"},
		{"score_frac", a.ScoreFrac, a.LUTBits, min(a.CoefFrac, a.ScoreBits-2), "[lut_bits, min(coef_frac, score_bits - 2)]"},
		{"sum_bits", a.SumBits, a.ProbFrac + 2, 62 - a.ProbFrac, "[prob_frac + 2, 62 - prob_frac]"},
		{"acc_bits", a.AccBits, a.ProbFrac + 1 + a.InBits, 63 - a.ProbFrac, "[prob_frac + 1 + in_bits, 63 - prob_frac]"},
	}
	for _, c := range checks {
		if c.v >= c.lo && c.v <= c.hi {
			continue
		}
		if c.bounds == "" {
			return c.name, fmt.Errorf("arith.%s = %d: must be in [%d, %d]", c.name, c.v, c.lo, c.hi)
		}
		if c.lo > c.hi {
			return c.name, fmt.Errorf("arith.%s = %d: must be in %s, which the other fields make empty ([%d, %d]); change the fields named there",
				c.name, c.v, c.bounds, c.lo, c.hi)
		}
		return c.name, fmt.Errorf("arith.%s = %d: must be in %s = [%d, %d]", c.name, c.v, c.bounds, c.lo, c.hi)
	}
	return "", nil
}

// In is the fixed-point format of Q, K, V and O.
func (a Arith) In() Format { return Format{Bits: a.InBits, Frac: a.InFrac} }

// DotBits is the exact width of a D-element dot product of input codes:
// the signed width that holds d * (-2^(InBits-1))^2, the largest value.
func (a Arith) DotBits(d int) int { return 2*a.InBits - 1 + bits.Len(uint(d)) }

// CheckHeadDim checks that a head dimension fits the datapath widths.
func (a Arith) CheckHeadDim(d int) error {
	if d < 1 {
		return fmt.Errorf("head_dim = %d: must be >= 1", d)
	}
	if a.Float {
		return nil
	}
	// |dot * c| <= d * 2^(2*InBits-2) * (2^CoefBits - 1) < 2^(w-1).
	if w := 2*a.InBits - 1 + ceilLog2(d) + a.CoefBits; w > 63 {
		return fmt.Errorf("head_dim = %d: the score product needs %d bits with arith %s; at most 63 (reduce head_dim, in_bits or coef_bits)", d, w, a.Name)
	}
	return nil
}

func ceilLog2(n int) int {
	b := 0
	for 1<<b < n {
		b++
	}
	return b
}
