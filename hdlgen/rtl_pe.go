package hdlgen

const peTmpl = `{%.Hdr%}
// swat_pe: one processing element, holding one query row and its softmax
// state (running max m, row sum l, HEAD_DIM accumulators) through a block.
// Key k issued in cycle I: dot slices in I..I+C-1 (C = HEAD_DIM /
// VECTOR_WIDTH), the logit register after LAT_SCORE cycles, the max and the
// exp in the next cycle and (p, alpha) after LAT_EXP, SV slices in
// I+C+Ls..I+2C+Ls-1 (SCHEDULE.md). One exp unit suffices: of alpha =
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
  input  wire [VECTOR_WIDTH*IN_BITS-1:0]  k_slice,
  input  wire [LAT_SCORE-1:0]             sc_en,      // score stage i loads
  input  wire [LAT_EXP-1:0]               ex_en,      // exp stage i loads; 0 is the max/exp cycle
  input  wire                             fold,       // the mask allows this key (valid with ex_en[0])
  input  wire                             sv_first,
{%- if gt .C 1%}
  input  wire                             sv_busy,
{%- end%}
  input  wire [VECTOR_WIDTH*IN_BITS-1:0]  v_slice,
  input  wire                             nm_first,   // norm cycle 0
  input  wire                             rc_step,    // norm cycles 1..Lr-1
  input  wire                             nm_busy{%if .Overlap%},    // norm cycles Lr..Lr+C-1
  input  wire                             ld_bank,    // bank of row_load
  input  wire                             dt_bank,    // bank of the key in the dot stage
  input  wire                             ex_bank,    // bank of the key in the max/exp stage
  input  wire                             sv_bank,    // bank of the key in the SV stage
  input  wire                             nm_bank     // bank of the division{%else%}     // norm cycles Lr..Lr+C-1{%end%}
);
  localparam ROW   = HEAD_DIM * IN_BITS;
  localparam SLICE = VECTOR_WIDTH * IN_BITS;
  localparam ACCS  = VECTOR_WIDTH * ACC_BITS;
  localparam [PROB_FRAC:0] P_ONE  = {1'b1, {PROB_FRAC{1'b0}}};
  localparam [PROB_FRAC:0] P_ZERO = {(PROB_FRAC+1){1'b0}};
{%- if gt .C 1%}
  wire dot_on = dot_first | dot_busy;
  wire sv_on  = sv_first | sv_busy;
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
    else if (nm_busy)
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
    else if (nm_busy)
      row <= {o_slice, row[ROW-1:SLICE]};
{%- else%}
    else if (nm_busy)
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

  // Score: the logit register, LAT_SCORE stages.
  wire signed [SCORE_BITS-1:0] t_new;
  swat_score #(.DOT_BITS({%.DotW%}), .COEF_BITS({%.CoefBits%}), .SCORE_BITS(SCORE_BITS),
    .SHIFT_BITS(SHIFT_BITS), .PROD_BITS({%.SPW%}), .COEF({%.CoefBits%}'d{%.Coef%})) u_score (
    .dot(dot), .shift(cfg_score_shift), .t(t_new));
{%- range $i := seq .LatScore%}
  reg signed [SCORE_BITS-1:0] t{%add $i 1%};
{%- end%}
  always @(posedge clk) begin
    if (sc_en[0]) t1 <= t_new;
{%- range $i := seq (sub .LatScore 1)%}
    if (sc_en[{%add $i 1%}]) t{%add $i 2%} <= t{%add $i 1%};
{%- end%}
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
  swat_exp #(.SCORE_BITS(SCORE_BITS), .SCORE_FRAC({%.ScoreFrac%}), .LUT_BITS({%.LUTBits%}), .PROB_FRAC(PROB_FRAC)) u_exp (
    .x(x), .y(e));
  wire [PROB_FRAC:0] alpha_n = !fold ? P_ONE  : !started ? P_ZERO : t_gt ? e     : P_ONE;
  wire [PROB_FRAC:0] p_n     = !fold ? P_ZERO : !started ? P_ONE  : t_gt ? P_ONE : e;
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
{%- range $i := seq .LatExp%}
  reg [PROB_FRAC:0] alpha{%add $i 1%}, p{%add $i 1%};
{%- end%}
  always @(posedge clk) begin
    if (ex_en[0]) begin alpha1 <= alpha_n; p1 <= p_n; end
{%- range $i := seq (sub .LatExp 1)%}
    if (ex_en[{%add $i 1%}]) begin alpha{%add $i 2%} <= alpha{%add $i 1%}; p{%add $i 2%} <= p{%add $i 1%}; end
{%- end%}
  end
  wire [PROB_FRAC:0] alpha = alpha{%.LatExp%};
  wire [PROB_FRAC:0] p     = p{%.LatExp%};

  // Row sum: l' = sat((l*alpha >> PROB_FRAC) + p, SUM_BITS), once per key.
  localparam [SUM_BITS+PROB_FRAC+1:0] L_ONE = 1;
  localparam [SUM_BITS+PROB_FRAC+1:0] L_MAX = (L_ONE << SUM_BITS) - L_ONE;
{%- if .Overlap%}
  reg  [SUM_BITS-1:0]           l0, l1;
  wire [SUM_BITS-1:0]           l_sv = sv_bank ? l1 : l0;
  wire [SUM_BITS-1:0]           l    = nm_bank ? l1 : l0;  // the division's
  wire [SUM_BITS+PROB_FRAC+1:0] la = l_sv * alpha;
  wire [SUM_BITS+PROB_FRAC+1:0] ls = (la >> PROB_FRAC) + {{(SUM_BITS+1){1'b0}}, p};
  wire [SUM_BITS-1:0]           l_nx = (ls > L_MAX) ? L_MAX[SUM_BITS-1:0] : ls[SUM_BITS-1:0];
  always @(posedge clk) begin
    if (sv_first && !sv_bank) l0 <= l_nx;
    if (sv_first && sv_bank)  l1 <= l_nx;
  end
{%- else%}
  reg  [SUM_BITS-1:0]           l;
  wire [SUM_BITS+PROB_FRAC+1:0] la = l * alpha;
  wire [SUM_BITS+PROB_FRAC+1:0] ls = (la >> PROB_FRAC) + {{(SUM_BITS+1){1'b0}}, p};
  always @(posedge clk)
    if (sv_first) l <= (ls > L_MAX) ? L_MAX[SUM_BITS-1:0] : ls[SUM_BITS-1:0];
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
  // SV lanes (acc * alpha) over the accumulators of sv_bank and
  // normalisation lanes (acc * r) over those of nm_bank, one slice per
  // cycle; the slice in use is always the low one (the registers rotate).
  reg  [HEAD_DIM*ACC_BITS-1:0] acc0, acc1;
  wire [ACCS-1:0]              acc_sv = sv_bank ? acc1[ACCS-1:0] : acc0[ACCS-1:0];
  wire [ACCS-1:0]              acc_nm = nm_bank ? acc1[ACCS-1:0] : acc0[ACCS-1:0];
  wire [ACCS-1:0]              acc_nx, unused_nacc;
  wire [SLICE-1:0]             unused_so;
  wire {%rng .MBW%}           mb_sv = {%zext .MBW (add .ProbFrac 1) "alpha"%};
  wire {%rng .MBW%}           mb_nm = {%zext .MBW (add .RecipBits 1) "r"%};
  wire unused_lanes = ^{unused_nacc, unused_so};  // each lane set drives one output
  genvar g;
  generate
    for (g = 0; g < VECTOR_WIDTH; g = g + 1) begin : lane
      swat_lane #(.IN_BITS(IN_BITS), .PROB_FRAC(PROB_FRAC), .ACC_BITS(ACC_BITS), .RECIP_BITS(RECIP_BITS),
        .MB_BITS({%.MBW%}), .NS_BITS({%.NsW%})) u_sv (
        .acc(acc_sv[g*ACC_BITS +: ACC_BITS]), .mb(mb_sv), .p(p), .v(v_slice[g*IN_BITS +: IN_BITS]), .ns(ns),
        .acc_nx(acc_nx[g*ACC_BITS +: ACC_BITS]), .o(unused_so[g*IN_BITS +: IN_BITS]));
      swat_lane #(.IN_BITS(IN_BITS), .PROB_FRAC(PROB_FRAC), .ACC_BITS(ACC_BITS), .RECIP_BITS(RECIP_BITS),
        .MB_BITS({%.MBW%}), .NS_BITS({%.NsW%})) u_nm (
        .acc(acc_nm[g*ACC_BITS +: ACC_BITS]), .mb(mb_nm), .p({(PROB_FRAC+1){1'b0}}), .v({IN_BITS{1'b0}}), .ns(ns),
        .acc_nx(unused_nacc[g*ACC_BITS +: ACC_BITS]), .o(o_slice[g*IN_BITS +: IN_BITS]));
    end
  endgenerate
  always @(posedge clk) begin
{%- if gt .C 1%}
    if (sv_on && !sv_bank)
      acc0 <= {acc_nx, acc0[HEAD_DIM*ACC_BITS-1:ACCS]};
    else if (nm_busy && !nm_bank)
      acc0 <= {acc0[ACCS-1:0], acc0[HEAD_DIM*ACC_BITS-1:ACCS]};
    if (sv_on && sv_bank)
      acc1 <= {acc_nx, acc1[HEAD_DIM*ACC_BITS-1:ACCS]};
    else if (nm_busy && nm_bank)
      acc1 <= {acc1[ACCS-1:0], acc1[HEAD_DIM*ACC_BITS-1:ACCS]};
{%- else%}
    if (sv_first && !sv_bank)
      acc0 <= acc_nx;
    if (sv_first && sv_bank)
      acc1 <= acc_nx;
{%- end%}
  end
{%- else%}

  // SV and normalisation lanes over the accumulators, one slice per cycle;
  // the slice in use is always the low one (the register rotates).
  reg  [HEAD_DIM*ACC_BITS-1:0] acc;
  wire [ACCS-1:0]              acc_nx;
  wire {%rng .MBW%}           mb = nm_busy ? {%zext .MBW (add .RecipBits 1) "r"%} : {%zext .MBW (add .ProbFrac 1) "alpha"%};
  genvar g;
  generate
    for (g = 0; g < VECTOR_WIDTH; g = g + 1) begin : lane
      swat_lane #(.IN_BITS(IN_BITS), .PROB_FRAC(PROB_FRAC), .ACC_BITS(ACC_BITS), .RECIP_BITS(RECIP_BITS),
        .MB_BITS({%.MBW%}), .NS_BITS({%.NsW%})) u_lane (
        .acc(acc[g*ACC_BITS +: ACC_BITS]), .mb(mb), .p(p), .v(v_slice[g*IN_BITS +: IN_BITS]), .ns(ns),
        .acc_nx(acc_nx[g*ACC_BITS +: ACC_BITS]), .o(o_slice[g*IN_BITS +: IN_BITS]));
    end
  endgenerate
  always @(posedge clk) begin
{%- if gt .C 1%}
    if (sv_on)
      acc <= {acc_nx, acc[HEAD_DIM*ACC_BITS-1:ACCS]};
    else if (nm_busy)
      acc <= {acc[ACCS-1:0], acc[HEAD_DIM*ACC_BITS-1:ACCS]};
{%- else%}
    if (sv_first)
      acc <= acc_nx;
{%- end%}
  end
{%- end%}
endmodule
`
