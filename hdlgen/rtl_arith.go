package hdlgen

// The function units of reference.Kernel, one Verilog module each. Every
// template is rendered with tpl (params plus the file header); the
// delimiters are {% %} because Verilog uses braces.

const expROMTmpl = `{%.Hdr%}
// swat_exp_rom: the exp look-up table of Kernel.Exp2Neg,
// E[k] = RNE(2^PROB_FRAC * 2^(-k/2^LUT_BITS)) for k = 0..2^LUT_BITS
// (reference.ExpTable), a ROM with one asynchronous read port.
module swat_exp_rom #(
  parameter LUT_BITS  = {%.LUTBits%},  // arith lut_bits
  parameter PROB_FRAC = {%.ProbFrac%}   // arith prob_frac: entries are UQ1.PROB_FRAC
) (
  input  wire [LUT_BITS:0]  addr,
  output wire [PROB_FRAC:0] data
);
  reg [PROB_FRAC:0] rom [0:(1<<LUT_BITS)];
  initial begin
{%- range $i, $e := .LUT%}
    rom[{%$i%}] = {%lit (add $.ProbFrac 1) $e%};
{%- end%}
  end
  assign data = rom[addr];
endmodule
`

const expTmpl = `{%.Hdr%}
// swat_exp: the exp unit, Kernel.Exp2Neg: y = 2^(-x / 2^SCORE_FRAC) for a
// logit difference x >= 0. The LUT_BITS bits below the binary point index
// the ROM;{%if .Interp%} the bits under them interpolate linearly to the next entry;{%end%}
// the integer part shifts the result right, to 0 beyond PROB_FRAC.
module swat_exp #(
  parameter SCORE_BITS = {%.ScoreBits%},  // arith score_bits
  parameter SCORE_FRAC = {%.ScoreFrac%},  // arith score_frac
  parameter LUT_BITS   = {%.LUTBits%},  // arith lut_bits
  parameter PROB_FRAC  = {%.ProbFrac%}   // arith prob_frac
) (
  input  wire [SCORE_BITS-1:0] x,
  output wire [PROB_FRAC:0]    y
);
  localparam LOW = SCORE_FRAC - LUT_BITS;  // fraction bits under the LUT index
  wire [SCORE_BITS-SCORE_FRAC-1:0] xi  = x[SCORE_BITS-1:SCORE_FRAC];
  wire [LUT_BITS-1:0]              idx = x[SCORE_FRAC-1:LOW];
  wire [PROB_FRAC:0]               e0;
  swat_exp_rom #(.LUT_BITS(LUT_BITS), .PROB_FRAC(PROB_FRAC)) u_rom0 (.addr({1'b0, idx}), .data(e0));
{%- if .Interp%}
  // v = E[idx] - ((E[idx] - E[idx+1]) * r >> LOW), r the bits under the index
  wire [LOW-1:0]         r = x[LOW-1:0];
  wire [PROB_FRAC:0]     e1;
  swat_exp_rom #(.LUT_BITS(LUT_BITS), .PROB_FRAC(PROB_FRAC)) u_rom1 (
    .addr({1'b0, idx} + {{LUT_BITS{1'b0}}, 1'b1}), .data(e1));
  wire [PROB_FRAC:0]     de = e0 - e1;
  wire [PROB_FRAC+LOW:0] dp = de * r;
  wire [PROB_FRAC:0]     v  = e0 - dp[PROB_FRAC+LOW:LOW];
  wire unused_dp = ^dp[LOW-1:0];  // floor: the product's fraction bits are dropped
{%- else%}
  wire [PROB_FRAC:0]     v  = e0;
{%- if gt .Low 0%}
  wire unused_low = ^x[LOW-1:0];  // no interpolation: the bits under the index are dropped
{%- end%}
{%- end%}
{%- if .XiCanExceed%}
  localparam [SCORE_BITS-SCORE_FRAC-1:0] XI_MAX = PROB_FRAC;
  assign y = (xi > XI_MAX) ? {(PROB_FRAC+1){1'b0}} : (v >> xi);
{%- else%}
  assign y = v >> xi;
{%- end%}
endmodule
`

const scoreTmpl = `{%.Hdr%}
// swat_score: the score unit, Kernel.Score: t = sat(floor(dot * COEF /
// 2^shift), SCORE_BITS). The shift q_frac + k_frac + coef_frac - score_frac
// depends on the per-tensor scales AutoScale picks, so it is a run-time input.
{%- if gt .LatScore 1%}
// Two stages: the product register loads when en is high (score stage 0);
// t is the shifted, saturated product (stage 1 registers it).
{%- end%}
module swat_score #(
  parameter DOT_BITS   = {%.DotW%},  // 2*in_bits + clog2(head_dim): exact dot product
  parameter COEF_BITS  = {%.CoefBits%},  // arith coef_bits
  parameter SCORE_BITS = {%.ScoreBits%},  // arith score_bits
  parameter SHIFT_BITS = {%.ShW%},   // holds the largest shift, {%.ShMax%}
  parameter PROD_BITS  = {%.SPW%},  // dot * COEF, exact
  parameter [COEF_BITS-1:0] COEF = {%.Coef%}  // RNE(scale * log2(e) * 2^coef_frac)
) (
{%- if gt .LatScore 1%}
  input  wire                         clk,
  input  wire                         en,
{%- end%}
  input  wire signed [DOT_BITS-1:0]   dot,
  input  wire        [SHIFT_BITS-1:0] shift,
  output wire signed [SCORE_BITS-1:0] t
);
  localparam        [PROD_BITS-1:0] ONE   = 1;
  localparam signed [PROD_BITS-1:0] T_MAX = (ONE << (SCORE_BITS-1)) - ONE;
  localparam signed [PROD_BITS-1:0] T_MIN = ~T_MAX;
{%- if gt .LatScore 1%}
  reg  signed [PROD_BITS-1:0] prod;
  always @(posedge clk)
    if (en) prod <= dot * $signed({1'b0, COEF});
{%- else%}
  wire signed [PROD_BITS-1:0] prod = dot * $signed({1'b0, COEF});
{%- end%}
  wire signed [PROD_BITS-1:0] fl   = prod >>> shift;
  assign t = (fl > T_MAX) ? T_MAX[SCORE_BITS-1:0] :
             (fl < T_MIN) ? T_MIN[SCORE_BITS-1:0] : fl[SCORE_BITS-1:0];
endmodule
`

const dotTmpl = `{%.Hdr%}
// swat_dot: one slice of the dot product, VECTOR_WIDTH multipliers and
// their sum, exact in DOT_BITS.
module swat_dot #(
  parameter VECTOR_WIDTH = {%.VW%},  // hw.vector_width
  parameter IN_BITS      = {%.InBits%},  // arith in_bits
  parameter DOT_BITS     = {%.DotW%}
) (
  input  wire        [VECTOR_WIDTH*IN_BITS-1:0] q,
  input  wire        [VECTOR_WIDTH*IN_BITS-1:0] k,
  output reg  signed [DOT_BITS-1:0]             sum
);
  wire [VECTOR_WIDTH*DOT_BITS-1:0] prods;
  genvar g;
  generate
    for (g = 0; g < VECTOR_WIDTH; g = g + 1) begin : lane
      wire signed [IN_BITS-1:0]  a = q[g*IN_BITS +: IN_BITS];
      wire signed [IN_BITS-1:0]  b = k[g*IN_BITS +: IN_BITS];
      wire signed [DOT_BITS-1:0] m = a * b;
      assign prods[g*DOT_BITS +: DOT_BITS] = m;
    end
  endgenerate
  integer i;
  always @* begin
    sum = {DOT_BITS{1'b0}};
    for (i = 0; i < VECTOR_WIDTH; i = i + 1)
      sum = sum + $signed(prods[i*DOT_BITS +: DOT_BITS]);
  end
endmodule
`

const laneTmpl = `{%.Hdr%}
// swat_lane: one SV/normalisation lane. Its multiplier takes acc * alpha in
// the sweep (Kernel.Update: acc' = sat((acc*alpha >> PROB_FRAC) + p*v,
// ACC_BITS)) and acc * r in the norm phase (Kernel.Finish: o =
// sat(RNE(acc*r / 2^(RECIP_BITS+n)), IN_BITS)). Every row has l >= 1.0
// (its largest logit adds p = 1.0), so n >= PROB_FRAC: the shift is the
// constant RECIP_BITS + PROB_FRAC plus ns = n - PROB_FRAC.
// The sweep's update takes hw.latency.acc = {%.LatAcc%} stages: 1, all in one
// cycle; 2, the products are registered; 3 and more, the sum is registered
// too (further stages delay it). Its registers are slots of the PE's
// accumulator ring and advance when en (the ring shifts) is high. acc_nx
// is the value written back to the ring.
// The output o takes hw.latency.norm = {%.LatNorm%} stages and advances every
// cycle: 1, all in one cycle; 2, the product is registered; 3 and more,
// the rounding's quotient and round-up bit are registered too.
module swat_lane #(
  parameter IN_BITS    = {%.InBits%},  // arith in_bits
  parameter PROB_FRAC  = {%.ProbFrac%},  // arith prob_frac
  parameter ACC_BITS   = {%.AccBits%},  // arith acc_bits
  parameter RECIP_BITS = {%.RecipBits%},  // arith recip_bits
  parameter MB_BITS    = {%.MBW%},  // max(recip_bits, prob_frac) + 1
  parameter NS_BITS    = {%.NsW%}    // holds sum_bits - 1 - prob_frac
) (
{%- if or (gt .LatAcc 1) (gt .LatNorm 1)%}
  input  wire                       clk,
{%- end%}
{%- if gt .LatAcc 1%}
  input  wire                       en,
{%- end%}
  input  wire signed [ACC_BITS-1:0] acc,
  input  wire        [MB_BITS-1:0]  mb,
  input  wire        [PROB_FRAC:0]  p,
  input  wire signed [IN_BITS-1:0]  v,
  input  wire        [NS_BITS-1:0]  ns,
  output wire signed [ACC_BITS-1:0] acc_nx,
  output wire signed [IN_BITS-1:0]  o
);
  localparam PW = ACC_BITS + MB_BITS + 1;         // acc * mb, exact
  localparam UW = ACC_BITS + 2;                   // the sweep's sum, exact
  localparam K  = RECIP_BITS + PROB_FRAC - 1;     // constant shift, less the half bit
  localparam HW = PW - K;                         // floor(prod / 2^K)
  localparam        [UW-1:0] U_ONE   = 1;
  localparam signed [UW-1:0] ACC_MAX = (U_ONE << (ACC_BITS-1)) - U_ONE;
  localparam signed [UW-1:0] ACC_MIN = ~ACC_MAX;
  localparam        [HW-1:0] H_ONE   = 1;
  localparam        [HW-1:0] H_ALL   = ~{HW{1'b0}};
  localparam signed [HW-1:0] O_MAX   = (H_ONE << (IN_BITS-1)) - H_ONE;
  localparam signed [HW-1:0] O_MIN   = ~O_MAX;
  // p x v at the width it can set (at most UW): a register of it is that
  // wide in the source, so the DSP mapping does not hang on wreduce.
  localparam PVW = (IN_BITS + PROB_FRAC + 2 < UW) ? IN_BITS + PROB_FRAC + 2 : UW;
  wire signed [PW-1:0]  prod = acc * $signed({1'b0, mb});
  wire signed [PVW-1:0] pv   = v * $signed({1'b0, p});
{%- if and (gt .LatAcc 1) (gt .LatNorm 1)%}
  // stage 1, shared by the sweep and the output: the products
  reg  signed [PW-1:0] prod_q;
  reg  signed [PVW-1:0] pv_q;
  always @(posedge clk)
    if (en) begin prod_q <= prod; pv_q <= pv; end
  wire signed [PW-1:0] pn  = prod_q;
  wire signed [UW-1:0] a1  = prod_q[PROB_FRAC+UW-1:PROB_FRAC];  // alpha <= 1.0: fits
{%- else if gt .LatAcc 1%}
  // stage 1: the products
  reg  signed [UW-1:0]  a1;
  reg  signed [PVW-1:0] pv_q;
  always @(posedge clk)
    if (en) begin a1 <= prod[PROB_FRAC+UW-1:PROB_FRAC]; pv_q <= pv; end
  wire signed [PW-1:0] pn  = prod;
{%- else if gt .LatNorm 1%}
  // the output's stage 1: the product
  reg  signed [PW-1:0] pn;
  always @(posedge clk)
    pn <= prod;
  wire signed [UW-1:0] a1  = prod[PROB_FRAC+UW-1:PROB_FRAC];  // alpha <= 1.0: fits
  wire signed [PVW-1:0] pv_q = pv;
{%- else%}
  wire signed [PW-1:0] pn  = prod;
  wire signed [UW-1:0] a1  = prod[PROB_FRAC+UW-1:PROB_FRAC];  // alpha <= 1.0: fits
  wire signed [PVW-1:0] pv_q = pv;
{%- end%}
  // sweep: the sum and its saturation
{%- if lt .PVW (add .AccBits 2)%}
  wire signed [UW-1:0] pv_x = {{(UW-PVW){pv_q[PVW-1]}}, pv_q};
{%- else%}
  wire signed [UW-1:0] pv_x = pv_q;
{%- end%}
{%- if gt .LatAcc 2%}
{%- range $i := seq (sub .LatAcc 2)%}
  reg  signed [UW-1:0] u{%add $i 1%};
{%- end%}
  always @(posedge clk)
    if (en) begin
      u1 <= a1 + pv_x;
{%- range $i := seq (sub .LatAcc 3)%}
      u{%add $i 2%} <= u{%add $i 1%};
{%- end%}
    end
  wire signed [UW-1:0] upd = u{%sub .LatAcc 2%};
{%- else%}
  wire signed [UW-1:0] upd = a1 + pv_x;
{%- end%}
  assign acc_nx = (upd > ACC_MAX) ? ACC_MAX[ACC_BITS-1:0] :
                  (upd < ACC_MIN) ? ACC_MIN[ACC_BITS-1:0] : upd[ACC_BITS-1:0];
  // norm: round half to even at bit K + 1 + ns, then saturate
  wire signed [HW-1:0] hk    = pn[PW-1:K];
  wire signed [HW-1:0] hq    = hk >>> ns;             // the half bit is hq[0]
  wire        [HW-1:0] below = hk & ~(H_ALL << ns);   // bits of hk under the half bit
  wire                 up    = hq[0] & ((|pn[K-1:0]) | (|below) | hq[1]);
  wire signed [HW-1:0] q     = hq >>> 1;
{%- if gt .LatNorm 2%}
{%- range $i := seq (sub .LatNorm 2)%}
  reg  signed [HW-1:0] q{%add $i 1%};
  reg                  up{%add $i 1%};
{%- end%}
  always @(posedge clk) begin
    q1 <= q; up1 <= up;
{%- range $i := seq (sub .LatNorm 3)%}
    q{%add $i 2%} <= q{%add $i 1%}; up{%add $i 2%} <= up{%add $i 1%};
{%- end%}
  end
  wire signed [HW-1:0] rq    = q{%sub .LatNorm 2%} + $signed({{(HW-1){1'b0}}, up{%sub .LatNorm 2%}});
{%- else%}
  wire signed [HW-1:0] rq    = q + $signed({{(HW-1){1'b0}}, up});
{%- end%}
  assign o = (rq > O_MAX) ? O_MAX[IN_BITS-1:0] :
             (rq < O_MIN) ? O_MIN[IN_BITS-1:0] : rq[IN_BITS-1:0];
endmodule
`

const recipTmpl = `{%.Hdr%}
// swat_recip: the reciprocal unit, Kernel.Recip, as a restoring divider.
{%- if gt .LatRecip 1%}
// start (norm cycle 0) finds n, the position of l's leading one; the first
// step (cycle 1) normalises ln = l << (SUM_BITS-1-n); each further step
// (cycles 2..RECIP_BITS+2) yields one bit of r = floor(2^(SUM_BITS-1+
// RECIP_BITS) / ln), most significant first. Latency RECIP_BITS + 3
// cycles (hw.latency.recip = 2), the contract's Lr.
{%- else%}
// start (norm cycle 0) finds n, the position of l's leading one, and
// normalises ln = l << (SUM_BITS-1-n); each step (cycles 1..RECIP_BITS+1)
// yields one bit of r = floor(2^(SUM_BITS-1+RECIP_BITS) / ln), most
// significant first. Latency RECIP_BITS + 2 cycles (hw.latency.recip = 1),
// the contract's Lr.
{%- end%}
module swat_recip #(
  parameter SUM_BITS   = {%.SumBits%},  // arith sum_bits
  parameter RECIP_BITS = {%.RecipBits%},  // arith recip_bits
  parameter N_BITS     = {%.NW%}    // holds SUM_BITS - 1
) (
  input  wire                clk,
  input  wire                start,
  input  wire                step,
  input  wire [SUM_BITS-1:0] l,
  output reg  [RECIP_BITS:0] r,
  output reg  [N_BITS-1:0]   n
);
  localparam [N_BITS-1:0]   TOP  = {%lit .NW (sub .SumBits 1)%};  // SUM_BITS - 1
  localparam [SUM_BITS:0]   HALF = {2'b01, {(SUM_BITS-1){1'b0}}};  // 2^(SUM_BITS-1)
  reg [N_BITS-1:0] lead;
  integer i;
  always @* begin
    lead = {N_BITS{1'b0}};
    for (i = 1; i < SUM_BITS; i = i + 1)
      if (l[i]) lead = i[N_BITS-1:0];
  end
  reg  [SUM_BITS-1:0] ln;
  reg  [SUM_BITS:0]   rem;  // partial remainder, < 2*ln
  wire [SUM_BITS:0]   diff = rem - {1'b0, ln};
  wire                ge   = ~diff[SUM_BITS];
{%- if gt .LatRecip 1%}
  reg [N_BITS-1:0] lead_q;  // the leading one, found at start
  reg              norm;    // the next step normalises
{%- end%}
  always @(posedge clk) begin
    if (start) begin
{%- if gt .LatRecip 1%}
      lead_q <= lead;
      norm   <= 1'b1;
    end else if (step && norm) begin
      ln   <= l << (TOP - lead_q);
      n    <= lead_q;
      rem  <= HALF;
      r    <= {(RECIP_BITS+1){1'b0}};
      norm <= 1'b0;
{%- else%}
      ln  <= l << (TOP - lead);
      n   <= lead;
      rem <= HALF;
      r   <= {(RECIP_BITS+1){1'b0}};
{%- end%}
    end else if (step) begin
      rem <= ge ? {diff[SUM_BITS-1:0], 1'b0} : {rem[SUM_BITS-1:0], 1'b0};
      r   <= {r[RECIP_BITS-1:0], ge};
    end
  end
endmodule
`
