package explore

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"sort"
	"strconv"
)

// Scored is a stored record with its objective values (signed so that
// smaller is better) and its feasibility.
type Scored struct {
	Record   *Record
	Fields   map[string]any
	Report   map[string]any
	Values   []float64 // objective values as reported
	Feasible bool      // evaluated without error, fits, every objective a number
}

// cost is the objective value to minimise.
func cost(o Objective, v float64) float64 {
	if o.Max {
		return -v
	}
	return v
}

// Score decodes the records and evaluates the objectives, in hash order.
func (s *Space) Score(rs Records) []*Scored {
	var out []*Scored
	for _, r := range rs.Sorted() {
		sc := &Scored{Record: r, Feasible: r.Error == "" && r.Fits}
		sc.Fields, _ = decodeJSON(r.Fields)
		sc.Report, _ = decodeJSON(r.Report)
		for _, o := range s.Objectives {
			v := number(sc.Report, o.Key)
			sc.Values = append(sc.Values, v)
			if math.IsNaN(v) {
				sc.Feasible = false
			}
		}
		out = append(out, sc)
	}
	return out
}

// dominates reports whether a is no worse than b in every objective and
// better in at least one.
func (s *Space) dominates(a, b *Scored) bool {
	better := false
	for i, o := range s.Objectives {
		ca, cb := cost(o, a.Values[i]), cost(o, b.Values[i])
		if ca > cb {
			return false
		}
		if ca < cb {
			better = true
		}
	}
	return better
}

// Front returns the non-dominated feasible points, ordered by the first
// objective (best first), then by hash. Each candidate is checked against
// the current front only, which stays small, so large stores are cheap.
func (s *Space) Front(pts []*Scored) []*Scored {
	var front []*Scored
	for _, p := range pts {
		if !p.Feasible {
			continue
		}
		dominated := false
		keep := front[:0]
		for _, q := range front {
			if s.dominates(q, p) {
				dominated = true
			}
			if !s.dominates(p, q) {
				keep = append(keep, q)
			}
		}
		front = keep
		if !dominated {
			front = append(front, p)
		}
	}
	sort.SliceStable(front, func(i, j int) bool {
		ci, cj := cost(s.Objectives[0], front[i].Values[0]), cost(s.Objectives[0], front[j].Values[0])
		if ci != cj {
			return ci < cj
		}
		return front[i].Record.Hash < front[j].Record.Hash
	})
	return front
}

// ParetoCSV renders the front: hash, the field values, the objectives.
func (s *Space) ParetoCSV(front []*Scored) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	head := []string{"hash"}
	for _, f := range s.Fields {
		head = append(head, f.Name)
	}
	for _, o := range s.Objectives {
		head = append(head, o.Key)
	}
	w.Write(head)
	for _, p := range front {
		row := []string{p.Record.Hash}
		for _, f := range s.Fields {
			row = append(row, fieldText(p.Fields[f.Name]))
		}
		for _, v := range p.Values {
			row = append(row, strconv.FormatFloat(v, 'g', -1, 64))
		}
		w.Write(row)
	}
	w.Flush()
	return b.Bytes()
}

func fieldText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}
