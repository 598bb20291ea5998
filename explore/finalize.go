package explore

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Output is a file a run or merge writes (atomically, by the caller).
type Output struct {
	Path string
	Data []byte
}

// Front is what the front of a results directory came to.
type Front struct {
	Records, Failed, Feasible int
	Points                    []*Scored
	// Note says why a picture was not drawn ("" when all were).
	Note string
}

// Finalize builds a directory's merged store (every record once, sorted by
// hash), the front (pareto.csv) and the pictures (pareto.png,
// roofline.png) from its records.
func (s *Space) Finalize(dir string, rs Records) ([]Output, *Front, error) {
	pts := s.Score(rs)
	front := s.Front(pts)
	sum := &Front{Records: len(pts), Points: front}
	for _, p := range pts {
		if p.Record.Error != "" {
			sum.Failed++
		}
		if p.Feasible {
			sum.Feasible++
		}
	}
	outs := []Output{
		{filepath.Join(dir, ResultsFile), rs.JSONL()},
		{filepath.Join(dir, "pareto.csv"), s.ParetoCSV(front)},
	}
	if len(pts) == sum.Failed {
		sum.Note = "no point was evaluated without error: no pictures"
		return outs, sum, nil
	}
	if len(s.Objectives) >= 2 {
		img, err := s.ParetoPNG(pts, front)
		if err != nil {
			return nil, nil, fmt.Errorf("pareto.png: %v", err)
		}
		outs = append(outs, Output{filepath.Join(dir, "pareto.png"), img})
	} else {
		sum.Note = "pareto.png needs two objectives; not drawn"
	}
	img, err := s.RooflinePNG(pts, front)
	if errors.Is(err, errNoRooflinePoints) {
		sum.Note = strings.TrimPrefix(sum.Note+"; "+err.Error(), "; ")
		return outs, sum, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return append(outs, Output{filepath.Join(dir, "roofline.png"), img}), sum, nil
}

// SpaceFile holds a results directory's space (canonical YAML).
const SpaceFile = "space.yaml"
