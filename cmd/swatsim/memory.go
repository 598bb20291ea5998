package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// Bytes of memory a run holds per element of its [H,N,D] tensors, measured
// as peak resident size over H*N*D (see docs/cli.md, "Memory"): the
// float64 inputs, their codes, the outputs and the reference passes, with
// about 20% margin.
const (
	bytesPerElemGen   = 48  // measured 40: gen --heads 1 --head-dim 64, --tokens 65536 vs 262144
	bytesPerElemSim   = 128 // measured 106: sim --set model.seq_len=16384 vs 65536 (values)
	bytesPerElemRef   = 96  // measured 72: ref --arith fixed16, N = 8192 vs 65536
	bytesPerElemKV    = 64  // measured 42: kv --policy full --steps 4, N = 4096 vs 32768
	bytesPerElemHDL   = 80  // measured 65: hdl (stim.txt), N = 4096 vs 65536
	bytesPerElemCosim = 128 // hdl's stimulus plus the reference and model comparisons (as sim)
)

// maxMemoryFlag is the root's --max-memory.
var maxMemoryFlag string

func addMemoryFlag(root *cobra.Command) {
	root.PersistentFlags().StringVar(&maxMemoryFlag, "max-memory", "auto",
		"refuse runs estimated to need more memory than this, e.g. 16GiB; auto: 80% of the smallest of physical memory, the cgroup limit and ulimit -v")
}

// checkMemory refuses a run whose estimate exceeds the --max-memory limit;
// what names the run and its sizes.
func checkMemory(what string, heads, tokens, headDim int, perElem int64) error {
	limit, src, err := memoryLimit(maxMemoryFlag)
	if err != nil {
		return err
	}
	elems := int64(heads) * int64(tokens) * int64(headDim)
	need := elems * perElem
	if limit <= 0 || need <= limit {
		return nil
	}
	return fmt.Errorf("%s needs about %s (%d heads x %d tokens x dim %d = %d elements x ~%d B), over the limit of %s (%s); "+
		"use smaller shapes or raise it with --max-memory if the machine has the memory",
		what, sizeString(need), heads, tokens, headDim, elems, perElem, sizeString(limit), src)
}

// memoryLimit parses --max-memory: a size, 0 for no limit, or auto.
func memoryLimit(flag string) (int64, string, error) {
	if flag != "auto" {
		n, err := parseSize(flag)
		if err != nil {
			return 0, "", fmt.Errorf("--max-memory = %q: must be auto, 0 (no limit) or a size such as 8GiB, 512MiB", flag)
		}
		return n, "--max-memory", nil
	}
	limit, src := int64(0), ""
	for _, c := range []struct {
		n   int64
		src string
	}{{memTotal(), "physical memory"}, {cgroupMax(), "cgroup memory.max"}, {addressLimit(), "ulimit -v"}} {
		if c.n > 0 && (limit == 0 || c.n < limit) {
			limit, src = c.n, c.src
		}
	}
	if limit == 0 {
		return 8 << 30, "default 8 GiB; --max-memory", nil
	}
	return limit / 10 * 8, "80% of " + src + "; --max-memory", nil
}

// units are the size suffixes parseSize accepts.
var units = []struct {
	suffix string
	mult   int64
}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3},
	{"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}}

// parseSize reads a byte count such as 8GiB, 512M or 1000000.
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(strings.ToUpper(s), strings.ToUpper(u.suffix)) {
			s, mult = strings.TrimSpace(s[:len(s)-len(u.suffix)]), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f*float64(mult) > 1<<62 {
		return 0, fmt.Errorf("bad size")
	}
	return int64(f * float64(mult)), nil
}

func sizeString(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d B", n)
}

// memTotal is MemTotal from /proc/meminfo (0 if unknown).
func memTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fs := strings.Fields(sc.Text()); len(fs) >= 2 && fs[0] == "MemTotal:" {
			kb, _ := strconv.ParseInt(fs[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// cgroupMax is the cgroup v2 memory limit (0 if none or unknown).
func cgroupMax() int64 {
	b, err := os.ReadFile("/sys/fs/cgroup/memory.max")
	if err != nil {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0 // "max"
	}
	return n
}

// addressLimit is the soft RLIMIT_AS (0 if unlimited).
func addressLimit() int64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &r); err != nil || r.Cur >= 1<<62 {
		return 0
	}
	return int64(r.Cur)
}
