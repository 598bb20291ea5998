package split

import (
	"fmt"

	"github.com/swatsim/swatsim/reference"
)

// MergeUnit is the hardware merge of per-part fixed-point row states: the
// per-part states come from reference.Kernel.Update, the rescaling uses the
// kernel's exp unit (Exp2Neg) and the result is divided by the kernel's
// Finish. Folding part b into state a (both started) computes, with
// M = max(a.M, b.M), alpha = Exp2Neg(M - a.M), beta = Exp2Neg(M - b.M) and
// f = ProbFrac:
//
//	L   = SatUnsigned((a.L*alpha)>>f + (b.L*beta)>>f, SumBits)
//	Acc = SatSigned((a.Acc*alpha)>>f + (b.Acc*beta)>>f, AccBits)
//
// which is the online-softmax Update with the new key's p*v replaced by
// the rescaled part. Hence (exactly, bit for bit): folding a single-key
// part is Kernel.Update; folding is commutative; equal maxima add the
// states exactly; and merging one part is the reference row itself.
type MergeUnit struct {
	K *reference.Kernel
}

// NewMergeUnit returns the merge unit of a fixed-point kernel.
func NewMergeUnit(k *reference.Kernel) (MergeUnit, error) {
	if k == nil {
		return MergeUnit{}, fmt.Errorf("merge unit: needs a fixed-point kernel")
	}
	return MergeUnit{K: k}, nil
}

// Fold merges part b into state a (a empty: a becomes a copy of b).
func (u MergeUnit) Fold(a, b *reference.RowState) {
	if !b.Started {
		return
	}
	if !a.Started {
		a.Started, a.M, a.L = true, b.M, b.L
		a.Acc = append(a.Acc[:0], b.Acc...)
		return
	}
	k := u.K
	m := max(a.M, b.M)
	alpha := k.Exp2Neg(m - a.M)
	beta := k.Exp2Neg(m - b.M)
	f := uint(k.A.ProbFrac)
	a.M = m
	a.L = reference.SatUnsigned((a.L*alpha)>>f+(b.L*beta)>>f, k.A.SumBits)
	for d := range a.Acc {
		a.Acc[d] = reference.SatSigned((a.Acc[d]*alpha)>>f+(b.Acc[d]*beta)>>f, k.A.AccBits)
	}
}

// Merge folds parts in order into one state and finishes it into out
// (InBits codes with VFrac fraction bits), as Kernel.Row finishes a row.
// It is an error when no part holds a key.
func (u MergeUnit) Merge(parts []*reference.RowState, out []int64) error {
	var st reference.RowState
	st.Reset(len(out))
	for _, p := range parts {
		if p.Started && len(p.Acc) != len(out) {
			return fmt.Errorf("merge unit: part has %d accumulators, output has %d", len(p.Acc), len(out))
		}
		u.Fold(&st, p)
	}
	if !st.Started {
		return fmt.Errorf("merge unit: every part is empty; a row needs at least one key")
	}
	u.K.Finish(&st, out)
	return nil
}

// PartState folds the keys idx of query row qi into a fresh state, in the
// order of idx, with the kernel's Dot, Score and Update: one part's
// processing element.
func (u MergeUnit) PartState(qi []int64, kc, vc *reference.Codes, h int, idx []int, st *reference.RowState) {
	st.Reset(kc.D)
	for _, j := range idx {
		u.K.Update(st, u.K.Score(u.K.Dot(qi, kc.Row(h, j))), vc.Row(h, j))
	}
}
