package hdlgen

const peTmpl = `{%.Hdr%}
// swat_pe: one processing element, holding one query row and its softmax
// state (running max m, row sum l, HEAD_DIM accumulators) through a block.
// Key k issued in cycle I: dot slices in I..I+C-1 (C = HEAD_DIM /
// VECTOR_WIDTH), the logit register after LAT_SCORE cycles (with 2 or
// more, the score product is registered first), the max in the next cycle
// and (p, alpha) after LAT_EXP (with 2 or more, the exp look-up takes the
// second), SV slices in I+C+Ls..I+C+Ls+Period-1 (SCHEDULE.md; Period =
// max(C, hw.latency.acc), the slots of the accumulator ring). One exp unit suffices: of alpha =
// exp(m'-m) and p = exp(m'-t) one is exactly 1.0. A key the mask hides
// gives (alpha, p) = (1, 0), which leaves the state as it is; the row's
// first key gives (0, 1), Kernel.Update's first-key rule.
{%- if .Overlap%}
// hw.overlap: two banks of the query row and the softmax state (started,
// m, l, accumulators); each key's stages name their bank (dt_bank at the
// dot, ex_bank at the max/exp, sv_bank at the SV update), so two blocks
// can sweep at once on different PEs. The division has its own lanes and
// an output row register (orow), so it and the o beats of one block run
// while the other bank sweeps (SCHEDULE.md, "Overlapped phases").
{%- end%}
module swat_pe #(
  parameter HEAD_DIM     = {%.D%},  // model.head_dim
  parameter VECTOR_WIDTH = {%.VW%},  // hw.vector_width
  parameter IN_BITS      = {%.InBits%},  // arith in_bits
  parameter SCORE_BITS   = {%.ScoreBits%},  // arith score_bits
  parameter PROB_FRAC    = {%.ProbFrac%},  // arith prob_frac
  parameter SUM_BITS     = {%.SumBits%},  // arith sum_bits
  parameter ACC_BITS     = {%.AccBits%},  // arith acc_bits
  parameter RECIP_BITS   = {%.RecipBits%},  // arith recip_bits
  parameter LAT_SCORE    = {%.LatScore%},  // hw.latency.score
  parameter LAT_EXP      = {%.LatExp%},  // hw.latency.exp
  parameter SHIFT_BITS   = {%.ShW%}   // cfg_score_shift width
) (
  input  wire                             clk,
  input  wire [SHIFT_BITS-1:0]            cfg_score_shift,
  input  wire                             row_load,   // this PE's q beat
  input  wire [HEAD_DIM*IN_BITS-1:0]      row_in,
  input  wire                             row_shift,  // an o beat: take the next PE's row
  input  wire [HEAD_DIM*IN_BITS-1:0]      chain_in,
  output wire [HEAD_DIM*IN_BITS-1:0]      row_out,
  input  wire                             dot_first,  // slice 0 of a key
{%- if gt .C 1%}
  input  wire                             dot_busy,   // slices 1..C-1
{%- end%}
{%- if .CoIssue%}
  input  wire [VECTOR_WIDTH*IN_BITS-1:0]  ka_slice,   // slot key A's slice
  input  wire [VECTOR_WIDTH*IN_BITS-1:0]  kb_slice,   // slot key B's slice (the co-issued block's)
  input  wire                             k_sel,      // this PE takes key B in the dot stage
{%- else%}
  input  wire [VECTOR_WIDTH*IN_BITS-1:0]  k_slice,
{%- end%}
  input  wire [LAT_SCORE-1:0]             sc_en,      // score stage i loads
  input  wire [LAT_EXP-1:0]               ex_en,      // exp stage i loads; 0 is the max/exp cycle
  input  wire                             fold,       // the mask allows this key (valid with ex_en[0])
  input  wire                             sv_first,
{%- if gt .Period 1%}
  input  wire                             sv_busy,
{%- end%}
{%- if .CoIssue%}
  input  wire [VECTOR_WIDTH*IN_BITS-1:0]  va_slice,
  input  wire [VECTOR_WIDTH*IN_BITS-1:0]  vb_slice,
  input  wire                             v_sel,      // this PE takes key B in the SV stage
{%- else%}
  input  wire [VECTOR_WIDTH*IN_BITS-1:0]  v_slice,
{%- end%}
  input  wire                             nm_first,   // norm cycle 0
  input  wire                             rc_step,    // norm cycles 1..Lr-1
  input  wire                             nm_busy{%if .Overlap%},    // norm cycles Lr..Lr+C+Ln-2
  input  wire                             ld_bank,    // bank of row_load
  input  wire                             dt_bank,    // bank of the key in the dot stage
  input  wire                             ex_bank,    // bank of the key in the max/exp stage
  input  wire                             sv_bank,    // bank of the key in the SV stage
  input  wire                             nm_bank     // bank of the division{%else%}     // norm cycles Lr..Lr+C+Ln-2{%end%}
);
  localparam ROW   = HEAD_DIM * IN_BITS;
  localparam SLICE = VECTOR_WIDTH * IN_BITS;
  localparam ACCS  = VECTOR_WIDTH * ACC_BITS;
  localparam [PROB_FRAC:0] P_ONE  = {1'b1, {PROB_FRAC{1'b0}}};
  localparam [PROB_FRAC:0] P_ZERO = {(PROB_FRAC+1){1'b0}};
{%- if .CoIssue%}
  // The PE picks its key's slices from the slot's two keys here, not in
  // the core, so each PE's pick stays a 2:1 multiplexer per bit: merged
  // into the shared slice logic, Yosys's xcup mapping builds a wide
  // multiplexer per PE and bit (docs/hdl.md, "Known misses").
  wire [SLICE-1:0] k_slice = k_sel ? kb_slice : ka_slice;
  wire [SLICE-1:0] v_slice = v_sel ? vb_slice : va_slice;
{%- end%}
{%- if gt .C 1%}
  wire dot_on = dot_first | dot_busy;
{%- end%}
{%- if gt .Period 1%}
  wire sv_on  = sv_first | sv_busy;
{%- else%}
  wire sv_on  = sv_first;
{%- end%}
  // The output slice of norm cycle Lr+j leaves the lanes Ln-1 cycles later (Ln =
  // hw.latency.norm = {%.LatNorm%}): nm_wb is high in norm cycles Lr+Ln-1..Lr+C+Ln-2.
{%- if eq .LatNorm 1%}
  wire nm_wb = nm_busy;
{%- else if eq .LatNorm 2%}
  reg  nm_d;
  always @(posedge clk) nm_d <= nm_busy;
  wire nm_wb = nm_busy & nm_d;
{%- else%}
  reg  {%rng (sub .LatNorm 1)%} nm_d;  // nm_busy of the last hw.latency.norm - 1 cycles
  always @(posedge clk) nm_d <= {nm_d[{%sub .LatNorm 3%}:0], nm_busy};
  wire nm_wb = nm_busy & nm_d[{%sub .LatNorm 2%}];
{%- end%}
{%if .Overlap%}
  // Query rows, one per bank (rotated one slice per dot cycle of their
  // bank), and the output row: the normalised row shifted in one slice per
  // cycle, the o chain in the out phase.
  reg  [ROW-1:0]   qrow0, qrow1, orow;
  wire [SLICE-1:0] o_slice;
  assign row_out = orow;
  always @(posedge clk) begin
    if (row_load && !ld_bank)
      qrow0 <= row_in;
{%- if gt .C 1%}
    else if (dot_on && !dt_bank)
      qrow0 <= {qrow0[SLICE-1:0], qrow0[ROW-1:SLICE]};
{%- end%}
    if (row_load && ld_bank)
      qrow1 <= row_in;
{%- if gt .C 1%}
    else if (dot_on && dt_bank)
      qrow1 <= {qrow1[SLICE-1:0], qrow1[ROW-1:SLICE]};
{%- end%}
    if (row_shift)
      orow <= chain_in;
    else if (nm_wb)
{%- if gt .C 1%}
      orow <= {o_slice, orow[ROW-1:SLICE]};
{%- else%}
      orow <= o_slice;
{%- end%}
  end
  wire [SLICE-1:0] row = dt_bank ? qrow1[SLICE-1:0] : qrow0[SLICE-1:0];  // the dot's slice
{%- else%}

  // Row register: the query row in the sweep (rotated one slice per dot
  // cycle), the output row after normalisation (shifted in one slice per
  // cycle), the o chain in the out phase.
  reg  [ROW-1:0]   row;
  wire [SLICE-1:0] o_slice;
  assign row_out = row;
  always @(posedge clk) begin
    if (row_load)
      row <= row_in;
    else if (row_shift)
      row <= chain_in;
{%- if gt .C 1%}
    else if (dot_on)
      row <= {row[SLICE-1:0], row[ROW-1:SLICE]};
    else if (nm_wb)
      row <= {o_slice, row[ROW-1:SLICE]};
{%- else%}
    else if (nm_wb)
      row <= o_slice;
{%- end%}
  end
{%- end%}

  // Dot product, accumulated over the C slices of a key.
  wire signed {%rng .DotW%} partial;
  reg  signed {%rng .DotW%} dot;
  swat_dot #(.VECTOR_WIDTH(VECTOR_WIDTH), .IN_BITS(IN_BITS), .DOT_BITS({%.DotW%})) u_dot (
    .q(row[SLICE-1:0]), .k(k_slice), .sum(partial));
  always @(posedge clk) begin
    if (dot_first)
      dot <= partial;
{%- if gt .C 1%}
    else if (dot_busy)
      dot <= dot + partial;
{%- end%}
  end

  // Score: the logit register, LAT_SCORE stages; with 2 or more the first
  // is swat_score's product register.
  wire signed [SCORE_BITS-1:0] t_new;
  swat_score #(.DOT_BITS({%.DotW%}), .COEF_BITS({%.CoefBits%}), .SCORE_BITS(SCORE_BITS),
    .SHIFT_BITS(SHIFT_BITS), .PROD_BITS({%.SPW%}), .COEF({%.CoefBits%}'d{%.Coef%})) u_score (
{%- if gt .LatScore 1%}
    .clk(clk), .en(sc_en[0]),
{%- end%}
    .dot(dot), .shift(cfg_score_shift), .t(t_new));
{%- range $i := seq .LatScore%}{%- if ge $i $.ScoreT0%}
  reg signed [SCORE_BITS-1:0] t{%add $i 1%};
{%- end%}{%- end%}
  always @(posedge clk) begin
    if (sc_en[{%.ScoreT0%}]) t{%add .ScoreT0 1%} <= t_new;
{%- range $i := seq .LatScore%}{%- if gt $i $.ScoreT0%}
    if (sc_en[{%$i%}]) t{%add $i 1%} <= t{%$i%};
{%- end%}{%- end%}
  end
  wire signed [SCORE_BITS-1:0] t = t{%.LatScore%};

  // Max and exp: x = |t - m|, alpha and p from one exp unit.
{%- if .Overlap%}
  reg                          started0, started1;
  reg  signed [SCORE_BITS-1:0] m0, m1;
  wire                         started = ex_bank ? started1 : started0;
  wire signed [SCORE_BITS-1:0] m       = ex_bank ? m1 : m0;
{%- else%}
  reg                          started;
  reg  signed [SCORE_BITS-1:0] m;
{%- end%}
  wire                         t_gt = t > m;
  wire        [SCORE_BITS-1:0] x    = t_gt ? t - m : m - t;
  wire        [PROB_FRAC:0]    e;
{%- if .Overlap%}
  always @(posedge clk) begin
    if (row_load && !ld_bank)
      started0 <= 1'b0;
    else if (ex_en[0] && fold && !ex_bank)
      started0 <= 1'b1;
    if (row_load && ld_bank)
      started1 <= 1'b0;
    else if (ex_en[0] && fold && ex_bank)
      started1 <= 1'b1;
    if (ex_en[0] && fold && !ex_bank && (!started || t_gt))
      m0 <= t;
    if (ex_en[0] && fold && ex_bank && (!started || t_gt))
      m1 <= t;
  end
{%- else%}
  always @(posedge clk) begin
    if (row_load)
      started <= 1'b0;
    else if (ex_en[0] && fold)
      started <= 1'b1;
    if (ex_en[0] && fold && (!started || t_gt))
      m <= t;
  end
{%- end%}
{%- if eq .LatExp 1%}
  swat_exp #(.SCORE_BITS(SCORE_BITS), .SCORE_FRAC({%.ScoreFrac%}), .LUT_BITS({%.LUTBits%}), .PROB_FRAC(PROB_FRAC)) u_exp (
    .x(x), .y(e));
  wire [PROB_FRAC:0] alpha_n = !fold ? P_ONE  : !started ? P_ZERO : t_gt ? e     : P_ONE;
  wire [PROB_FRAC:0] p_n     = !fold ? P_ZERO : !started ? P_ONE  : t_gt ? P_ONE : e;
{%- else%}
  // Exp stage 0 registers the argument and the choice; stage 1 looks it up.
  reg  [SCORE_BITS-1:0] x1;
  reg                   fold1, first1, gt1;
  always @(posedge clk)
    if (ex_en[0]) begin x1 <= x; fold1 <= fold; first1 <= !started; gt1 <= t_gt; end
  swat_exp #(.SCORE_BITS(SCORE_BITS), .SCORE_FRAC({%.ScoreFrac%}), .LUT_BITS({%.LUTBits%}), .PROB_FRAC(PROB_FRAC)) u_exp (
    .x(x1), .y(e));
  wire [PROB_FRAC:0] alpha_n = !fold1 ? P_ONE  : first1 ? P_ZERO : gt1 ? e     : P_ONE;
  wire [PROB_FRAC:0] p_n     = !fold1 ? P_ZERO : first1 ? P_ONE  : gt1 ? P_ONE : e;
{%- end%}
{%- range $i := seq .LatExp%}{%- if ge $i $.ExpA0%}
  reg [PROB_FRAC:0] alpha{%add $i 1%}, p{%add $i 1%};
{%- end%}{%- end%}
  always @(posedge clk) begin
    if (ex_en[{%.ExpA0%}]) begin alpha{%add .ExpA0 1%} <= alpha_n; p{%add .ExpA0 1%} <= p_n; end
{%- range $i := seq .LatExp%}{%- if gt $i $.ExpA0%}
    if (ex_en[{%$i%}]) begin alpha{%add $i 1%} <= alpha{%$i%}; p{%add $i 1%} <= p{%$i%}; end
{%- end%}{%- end%}
  end
  wire [PROB_FRAC:0] alpha = alpha{%.LatExp%};
  wire [PROB_FRAC:0] p     = p{%.LatExp%};

  // Row sum: l' = sat((l*alpha >> PROB_FRAC) + p, SUM_BITS), once per key
{%- if gt .LatAcc 1%}
  // in two stages, the product in the sv_first cycle, the sum in the next
  // (alpha and p hold: keys issue at least hw.latency.acc >= 2 cycles apart).
{%- end%}
  localparam [SUM_BITS+PROB_FRAC+1:0] L_ONE = 1;
  localparam [SUM_BITS+PROB_FRAC+1:0] L_MAX = (L_ONE << SUM_BITS) - L_ONE;
{%- if .Overlap%}
  reg  [SUM_BITS-1:0]           l0, l1;
  wire [SUM_BITS-1:0]           l_sv = sv_bank ? l1 : l0;
  wire [SUM_BITS-1:0]           l    = nm_bank ? l1 : l0;  // the division's
{%- else%}
  reg  [SUM_BITS-1:0]           l;
{%- end%}
{%- if gt .LatAcc 1%}
  reg  [SUM_BITS+PROB_FRAC+1:0] la;
  reg                           l_fin{%if .Overlap%}, l_bank{%end%};
  always @(posedge clk) begin
    l_fin <= sv_first;
    if (sv_first) {%if .Overlap%}begin la <= l_sv * alpha; l_bank <= sv_bank; end{%else%}la <= l * alpha;{%end%}
  end
{%- else%}
  wire [SUM_BITS+PROB_FRAC+1:0] la = {%if .Overlap%}l_sv{%else%}l{%end%} * alpha;
{%- end%}
  wire [SUM_BITS+PROB_FRAC+1:0] ls = (la >> PROB_FRAC) + {{(SUM_BITS+1){1'b0}}, p};
{%- if .Overlap%}
{%- if eq .LatAcc 1%}
  wire                          l_fin = sv_first, l_bank = sv_bank;
{%- end%}
  wire [SUM_BITS-1:0]           l_nx = (ls > L_MAX) ? L_MAX[SUM_BITS-1:0] : ls[SUM_BITS-1:0];
  always @(posedge clk) begin
    if (l_fin && !l_bank) l0 <= l_nx;
    if (l_fin && l_bank)  l1 <= l_nx;
  end
{%- else%}
  always @(posedge clk)
    if ({%if gt .LatAcc 1%}l_fin{%else%}sv_first{%end%}) l <= (ls > L_MAX) ? L_MAX[SUM_BITS-1:0] : ls[SUM_BITS-1:0];
{%- end%}

  // Reciprocal of l, then the shift RECIP_BITS + n of the output lanes.
  wire [RECIP_BITS:0] r;
  wire {%rng .NW%}  n;
  swat_recip #(.SUM_BITS(SUM_BITS), .RECIP_BITS(RECIP_BITS), .N_BITS({%.NW%})) u_recip (
    .clk(clk), .start(nm_first), .step(rc_step), .l(l), .r(r), .n(n));
  wire {%rng .NW%}  nn = n - {%lit .NW .ProbFrac%};  // n >= PROB_FRAC: l >= 1.0
{%- if lt .NsW .NW%}
  wire {%rng .NsW%} ns = nn[{%sub .NsW 1%}:0];
  wire unused_nn = ^nn[{%sub .NW 1%}:{%.NsW%}];  // n - PROB_FRAC <= SUM_BITS - 1 - PROB_FRAC
{%- else%}
  wire {%rng .NsW%} ns = nn;
{%- end%}
{%if .Overlap%}
  // Two sets of lanes, one per bank, each over its bank's accumulator ring
  // as in the sequential (one-bank) PE: a bank's lanes do its SV updates
  // (acc * alpha) and then its division (acc * r), which never overlap,
  // while the other bank's lanes sweep. The ring has Period = {%.Period%} slots:
  // ACC_SLOTS registers and the hw.latency.acc - 1 = {%sub .LatAcc 1%} pipeline
  // registers of its lanes; it shifts in its bank's SV and norm cycles only.
  localparam ACC_SLOTS = {%.AccSlots%};  // Period - hw.latency.acc + 1
  wire [SLICE-1:0] o_bank0, o_bank1;
  assign o_slice = nm_bank ? o_bank1 : o_bank0;
  genvar g;
{%- range $b := seq 2%}
{%template "acc_ring" (bank $ (print $b) (print "o_bank" $b))%}
{%- end%}
{%- else%}

  // SV and normalisation lanes over the accumulator ring, one slice per
  // cycle. The ring has Period = {%.Period%} slots: ACC_SLOTS registers here and
  // the hw.latency.acc - 1 = {%sub .LatAcc 1%} pipeline registers of the lanes; the lanes read the low
  // slot and write the top one, and every slot advances when the ring
  // shifts (sweep: Period cycles per key; norm: C+Ln-1 cycles, with
  // the lanes multiplying by r; what the norm writes back is not used).
  localparam ACC_SLOTS = {%.AccSlots%};  // Period - hw.latency.acc + 1
  reg  [ACC_SLOTS*ACCS-1:0] acc;
  wire [ACCS-1:0]           acc_nx;
  wire                      ring_on = sv_on | nm_busy;
  reg                       nm_mode;  // the lanes multiply by r (norm), not alpha (sweep)
  always @(posedge clk)
    if (nm_first)       nm_mode <= 1'b1;
    else if (dot_first) nm_mode <= 1'b0;
  wire {%rng .MBW%}           mb = nm_mode ? {%zext .MBW (add .RecipBits 1) "r"%} : {%zext .MBW (add .ProbFrac 1) "alpha"%};
  genvar g;
{%template "lanes" (bank $ "" "o_slice")%}
{%- end%}
endmodule
{%define "acc_ring"%}
  // Bank {%.B%}.
  reg  [ACC_SLOTS*ACCS-1:0] acc{%.B%};
  wire [ACCS-1:0]           acc_nx{%.B%};
  wire                      ring_on{%.B%} = (sv_on && sv_bank == 1'b{%.B%}) || (nm_busy && nm_bank == 1'b{%.B%});
  reg                       nm_mode{%.B%};  // bank {%.B%}'s lanes multiply by r (norm), not alpha (sweep)
  always @(posedge clk)
    if (nm_first && nm_bank == 1'b{%.B%})       nm_mode{%.B%} <= 1'b1;
    else if (dot_first && dt_bank == 1'b{%.B%}) nm_mode{%.B%} <= 1'b0;
  wire {%rng .MBW%}           mb{%.B%} = nm_mode{%.B%} ? {%zext .MBW (add .RecipBits 1) "r"%} : {%zext .MBW (add .ProbFrac 1) "alpha"%};
{%template "lanes" .%}
{%- end%}
{%define "lanes"%}  generate
    for (g = 0; g < VECTOR_WIDTH; g = g + 1) begin : lane{%.B%}
      swat_lane #(.IN_BITS(IN_BITS), .PROB_FRAC(PROB_FRAC), .ACC_BITS(ACC_BITS), .RECIP_BITS(RECIP_BITS),
        .MB_BITS({%.MBW%}), .NS_BITS({%.NsW%})) u_lane (
{%- if or (gt .LatAcc 1) (gt .LatNorm 1)%}
        .clk(clk),
{%- end%}
{%- if gt .LatAcc 1%}
        .en(ring_on{%.B%}),
{%- end%}
        .acc(acc{%.B%}[g*ACC_BITS +: ACC_BITS]), .mb(mb{%.B%}), .p(p), .v(v_slice[g*IN_BITS +: IN_BITS]), .ns(ns),
        .acc_nx(acc_nx{%.B%}[g*ACC_BITS +: ACC_BITS]), .o({%.Out%}[g*IN_BITS +: IN_BITS]));
    end
  endgenerate
  always @(posedge clk)
    if (ring_on{%.B%})
{%- if gt .AccSlots 1%}
      acc{%.B%} <= {acc_nx{%.B%}, acc{%.B%}[ACC_SLOTS*ACCS-1:ACCS]};
{%- else%}
      acc{%.B%} <= acc_nx{%.B%};
{%- end%}
{%- end%}
`
