package kv

import (
	"slices"

	"github.com/swatsim/swatsim/sim/kv/paged"
	"github.com/swatsim/swatsim/sim/kv/policy"
	"github.com/swatsim/swatsim/sim/kv/timing"
)

// tierNone marks a token that is not cached.
const tierNone = -1

// Traffic categories of a step: when the cycle model issues them.
const (
	catBackground = iota // writes of the new token and migrations
	catPreSelect         // metadata and second-pass reads before selection
	catGather            // K/V rows of the attended tokens
	numCats
)

// memory places one instance's cache over the tiers — per head, the newest
// onChip cached tokens on chip, the next offChip in HBM/DDR, the rest in
// host memory — and counts the bytes each step moves.
type memory struct {
	heads, d  int
	rowBytes  int64
	capTokens [timing.NumTiers]int64 // per head (host: unbounded)
	tier      [][]int8               // [H][N]: tier of each token or tierNone
	tables    [timing.NumTiers]*paged.Table
	traffic   [numCats][timing.NumTiers]paged.Traffic
	metaTier  int
	metaBytes int64
	metaPages int64 // pages per head in the metadata region
	bufferV   bool
	moves     [timing.NumTiers][timing.NumTiers][]int // scratch: [from][to] tokens
	elemBits  int64
	packed    policy.Compressed // nil unless the policy stores rows in fewer bits
	placer    policy.Placer     // nil unless the policy places tokens itself
}

// metaBase is the start of the metadata region in a tier's address space,
// far above any block.
const metaBase = int64(1) << 44

func newMemory(cfg Config, name string, pol policy.Policy, heads, n, d int) *memory {
	m := &memory{heads: heads, d: d, rowBytes: cfg.rowBytes(d), bufferV: cfg.Policy.CAOTEBufferV, elemBits: cfg.ElemBits()}
	m.packed, _ = pol.(policy.Compressed)
	m.placer, _ = pol.(policy.Placer)
	m.capTokens[timing.OnChip] = int64(cfg.onChipTokens(heads, d))
	m.capTokens[timing.OffChip] = cfg.tierTokens(cfg.HBM, heads, d)
	m.capTokens[timing.Host] = cfg.tierTokens(cfg.Host, heads, d)
	m.tier = make([][]int8, heads)
	for h := range m.tier {
		m.tier[h] = make([]int8, n)
		for j := range m.tier[h] {
			m.tier[h][j] = tierNone
		}
	}
	m.tables[timing.OffChip] = paged.NewTable(cfg.geometry(cfg.HBM, d), heads, n)
	m.tables[timing.Host] = paged.NewTable(cfg.geometry(cfg.Host, d), heads, n)
	channels := [timing.NumTiers]int{1, cfg.HBM.Channels, cfg.Host.Channels}
	for c := range m.traffic {
		for i := range m.traffic[c] {
			m.traffic[c][i] = paged.NewTraffic(channels[i])
		}
	}
	m.metaTier = timing.OffChip
	if cfg.Policy.QuestMetadata == "onchip" {
		m.metaTier = timing.OnChip
	}
	rows, tokens := policy.MetaLayout(name, cfg.policyParams(1))
	m.metaBytes = int64(rows) * m.rowBytes
	m.metaPages = int64(n/max(tokens, 1) + 1)
	return m
}

// reset empties the step's traffic.
func (m *memory) reset() {
	for c := range m.traffic {
		for i := range m.traffic[c] {
			m.traffic[c][i].Reset()
		}
	}
}

// want is the tier of the token at position pos from the newest.
func (m *memory) want(pos int64) int8 {
	switch {
	case pos < m.capTokens[timing.OnChip]:
		return timing.OnChip
	case pos < m.capTokens[timing.OnChip]+m.capTokens[timing.OffChip]:
		return timing.OffChip
	}
	return timing.Host
}

// place moves head h's cached tokens to their tiers, counting migrations
// (read from the old tier, written to the new one) and the writes of newly
// cached tokens as background traffic unless initial (prefill).
func (m *memory) place(h int, cache []int, initial bool) {
	for f := range m.moves {
		for t := range m.moves[f] {
			m.moves[f][t] = m.moves[f][t][:0]
		}
	}
	n := int64(len(cache))
	for i := len(cache) - 1; i >= 0; i-- {
		j := cache[i]
		w := m.want(n - 1 - int64(i))
		if m.placer != nil {
			w = int8(m.placer.Tier(h, j))
		}
		if old := m.tier[h][j]; old != w {
			from := int(old)
			if old == tierNone {
				from = int(w) // a new token: written, not read
			}
			m.moves[from][w] = append(m.moves[from][w], j)
			m.tier[h][j] = w
		}
	}
	for from := range m.moves {
		for to := range m.moves[from] {
			toks := m.moves[from][to]
			if len(toks) == 0 {
				continue
			}
			slices.Sort(toks)
			if from != to { // a migration: read from the old tier first
				m.rows(catBackground, from, h, toks, true, !initial)
				m.drop(from, h, toks)
			}
			m.insert(to, h, toks)
			m.rows(catBackground, to, h, toks, true, !initial)
		}
	}
}

// evict takes head h's evicted tokens out of their tiers.
func (m *memory) evict(h int, toks []int) {
	if len(toks) == 0 {
		return
	}
	toks = slices.Sorted(slices.Values(toks))
	for i := range m.tables {
		var in []int
		for _, j := range toks {
			if int(m.tier[h][j]) == i {
				in = append(in, j)
			}
		}
		m.drop(i, h, in)
	}
	for _, j := range toks {
		m.tier[h][j] = tierNone
	}
}

func (m *memory) insert(tier, h int, toks []int) {
	if t := m.tables[tier]; t != nil {
		for _, j := range toks {
			t.Insert(h, paged.K, j)
			t.Insert(h, paged.V, j)
		}
	}
}

func (m *memory) drop(tier, h int, toks []int) {
	if t := m.tables[tier]; t != nil {
		for _, j := range toks {
			t.Remove(h, paged.K, j)
			t.Remove(h, paged.V, j)
		}
	}
}

// rows counts an access to the K (if withK) and V rows of toks (ascending)
// of head h in tier, in category cat; count false skips it.
func (m *memory) rows(cat, tier, h int, toks []int, withK, count bool) {
	if !count || len(toks) == 0 {
		return
	}
	tr := &m.traffic[cat][tier]
	if m.tables[tier] == nil {
		n := int64(len(toks)) * m.rowBytes
		if withK {
			n *= 2
		}
		tr.AddFlat(n)
		return
	}
	read := cat != catBackground // gathers and second passes; background is writes and migrations
	if withK {
		tr.AddRows(m.tables[tier], h, paged.K, toks, read)
	}
	tr.AddRows(m.tables[tier], h, paged.V, toks, read)
}

// gather splits head h's attended tokens of step t by tier into parts
// (ascending) and counts their K and V reads: whole rows in the paged
// layout, or, for a compressed policy, the bits it reports, rounded up to
// whole bytes per part and spread over the tier's channels.
func (m *memory) gather(t, h int, att []int, parts *[timing.NumTiers][]int) {
	for i := range parts {
		parts[i] = parts[i][:0]
	}
	for _, j := range att {
		i := m.tier[h][j]
		parts[i] = append(parts[i], j)
	}
	for i := range parts {
		if m.packed != nil {
			m.traffic[catGather][i].AddSpread(bitsToBytes(m.packed.ReadBits(t, h, parts[i], m.elemBits)))
			continue
		}
		m.rows(catGather, i, h, parts[i], true, true)
	}
}

// extra counts the bits a policy reads from each tier before attention
// outside the K/V rows (codebooks, landmarks, factor rows).
func (m *memory) extra(bits [timing.NumTiers]int64) {
	for i, b := range bits {
		m.traffic[catPreSelect][i].AddSpread(bitsToBytes(b))
	}
}

// bitsToBytes is the whole bytes that hold bits.
func bitsToBytes(bits int64) int64 { return (bits + 7) / 8 }

// secondPass counts CAOTE's re-read of the V rows of toks (ascending),
// unless V is buffered on chip.
func (m *memory) secondPass(h int, toks []int) {
	if m.bufferV || len(toks) == 0 {
		return
	}
	var parts [timing.NumTiers][]int
	for _, j := range toks {
		i := m.tier[h][j]
		parts[i] = append(parts[i], j)
	}
	for i := range parts {
		m.rows(catPreSelect, i, h, parts[i], false, true)
	}
}

// metadata counts reads of head h's page summaries [0, pages) and, when
// write >= 0, the write of page write's summary.
func (m *memory) metadata(h, pages, write int) {
	tr := func(cat int) *paged.Traffic { return &m.traffic[cat][m.metaTier] }
	addr := metaBase + int64(h)*m.metaPages*m.metaBytes
	if m.tables[m.metaTier] == nil {
		tr(catPreSelect).AddFlat(int64(pages) * m.metaBytes)
		if write >= 0 {
			tr(catBackground).AddFlat(m.metaBytes)
		}
		return
	}
	g := m.tables[m.metaTier].Geometry()
	tr(catPreSelect).AddRange(g, addr, int64(pages)*m.metaBytes)
	if write >= 0 {
		tr(catBackground).AddRange(g, addr+int64(write)*m.metaBytes, m.metaBytes)
	}
}

// stepBytes returns the bytes and useful bytes each tier moved this step,
// and the bytes per category.
func (m *memory) stepBytes() (bytes, useful [timing.NumTiers]int64, byCat [numCats][timing.NumTiers]int64) {
	for c := range m.traffic {
		for i := range m.traffic[c] {
			bytes[i] += m.traffic[c][i].Bytes
			useful[i] += m.traffic[c][i].Useful
			byCat[c][i] = m.traffic[c][i].Bytes
		}
	}
	return
}
