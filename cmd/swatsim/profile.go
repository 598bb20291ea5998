package main

import (
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/google/pprof/profile"
)

// printProfileTop summarises a CPU profile written by --cpuprofile: the n
// functions with the most samples of their own (flat), parsed with
// google/pprof's profile package.
func printProfileTop(w io.Writer, path string, n int) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("--cpuprofile: %v", err)
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return fmt.Errorf("--cpuprofile %s: %v", path, err)
	}
	flat := map[string]int64{}
	var total int64
	vi := len(p.SampleType) - 1 // cpu nanoseconds
	for _, s := range p.Sample {
		total += s.Value[vi]
		if len(s.Location) > 0 && len(s.Location[0].Line) > 0 {
			flat[s.Location[0].Line[0].Function.Name] += s.Value[vi]
		}
	}
	names := make([]string, 0, len(flat))
	for k := range flat {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if flat[names[i]] != flat[names[j]] {
			return flat[names[i]] > flat[names[j]]
		}
		return names[i] < names[j]
	})
	fmt.Fprintf(w, "cpu profile %s: %.3g s sampled; top functions (flat):\n", path, float64(total)/1e9)
	for _, name := range names[:min(n, len(names))] {
		fmt.Fprintf(w, "  %5.1f%%  %s\n", 100*float64(flat[name])/float64(max(total, 1)), name)
	}
	return nil
}
