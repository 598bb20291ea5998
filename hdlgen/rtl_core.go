package hdlgen

const coreTmpl = `{%.Hdr%}
// swat_core: the attention core at its stream ports (the co-simulation
// boundary of dataflow/SCHEDULE.md). Every port is valid/ready and carries
// one row per beat: HEAD_DIM codes of IN_BITS bits, element 0 in bits
// [IN_BITS-1:0]. k and v transfer together: k_ready = v_ready, raised only
// in a cycle where both are valid and the core takes a K/V row. Cycle 0 is
// the first cycle after rst falls; a beat transfers in cycle c when valid
// and ready are high at the rising edge that ends c.
// cfg_score_shift = q_frac + k_frac + coef_frac - score_frac (Kernel.ScoreShift).
module swat_core #(
  parameter HEAD_DIM       = {%.D%},  // model.head_dim
  parameter VECTOR_WIDTH   = {%.VW%},  // hw.vector_width
  parameter PES            = {%.P%},  // hw.pes
{%- if .UnitParam%}
  parameter UNITS          = {%.MaxUnits%},  // units this core runs (0: idle, done from reset on)
{%- end%}
  parameter IN_BITS        = {%.InBits%},  // arith in_bits
  parameter LAT_SCORE      = {%.LatScore%},  // hw.latency.score
  parameter LAT_EXP        = {%.LatExp%},  // hw.latency.exp
{%- if not .Dense%}
  parameter KV_BUFFER_ROWS = {%.Depth%},  // ring depth (Design.KVBufRows)
{%- end%}
{%- if .HasPin%}
  parameter PINNED_ROWS    = {%.PinDepth%},  // pinned buffer depth (Design.PinnedRows)
{%- end%}
  parameter SHIFT_BITS     = {%.ShW%}   // cfg_score_shift width
) (
  input  wire                        clk,
  input  wire                        rst,
  input  wire [SHIFT_BITS-1:0]       cfg_score_shift,
  input  wire                        q_valid,
  output wire                        q_ready,
  input  wire [HEAD_DIM*IN_BITS-1:0] q_data,
  input  wire                        k_valid,
  output wire                        k_ready,
  input  wire [HEAD_DIM*IN_BITS-1:0] k_data,
  input  wire                        v_valid,
  output wire                        v_ready,
  input  wire [HEAD_DIM*IN_BITS-1:0] v_data,
  output wire                        o_valid,
  input  wire                        o_ready,
  output wire [HEAD_DIM*IN_BITS-1:0] o_data,
  output wire                        done
);
  localparam ROW   = HEAD_DIM * IN_BITS;
  localparam SLICE = VECTOR_WIDTH * IN_BITS;
  localparam C     = HEAD_DIM / VECTOR_WIDTH;
  localparam LS    = LAT_SCORE + LAT_EXP;
  localparam TK    = C + LS + {%.Period%} - 1;  // a key's last SV cycle, counted from its issue (Period = max(C, hw.latency.acc))
{%- if .Overlap%}
{%- else if .HasPin%}
  localparam [1:0] SRC_PIN = 2'd0, SRC_STR = 2'd2;
{%- else if not .Dense%}
  localparam [1:0] SRC_STR = 2'd2;
{%- end%}

{%- if .Overlap%}
{%template "ctrl_ov" .%}
{%- else%}

  // Controller.
  wire                  glob, o_shift, issue, kv_take, nm_first, rc_step, nm_busy;
  wire {%rng .KW%}     r0, key;
  wire {%rng .CntW%}      rows;
  wire [PES-1:0]        q_load;
  wire [1:0]            src;
{%- if not .Dense%}
  wire                  ring_we;
  wire {%rng .AW%}      ring_waddr, ring_raddr;
{%- end%}
{%- if .HasPin%}
  wire                  pin_we;
  wire {%rng .PAW%}      pin_waddr, pin_raddr;
{%- end%}
  swat_ctrl{%if .UnitParam%} #(.UNITS(UNITS)){%end%} u_ctrl (
    .clk(clk), .rst(rst), .q_valid(q_valid), .q_ready(q_ready), .k_valid(k_valid), .v_valid(v_valid),
    .kv_take(kv_take), .o_valid(o_valid), .o_ready(o_ready), .glob(glob), .r0(r0), .rows(rows),
    .q_load(q_load), .o_shift(o_shift), .issue(issue), .src(src), .key(key),
{%- if not .Dense%}
    .ring_we(ring_we), .ring_waddr(ring_waddr), .ring_raddr(ring_raddr),
{%- end%}
{%- if .HasPin%}
    .pin_we(pin_we), .pin_waddr(pin_waddr), .pin_raddr(pin_raddr),
{%- end%}
    .nm_first(nm_first), .rc_step(rc_step), .nm_busy(nm_busy), .done(done));
{%- end%}
  assign k_ready = kv_take;
  assign v_ready = kv_take;

  // Token pipeline: tk[i] is high i cycles after a key issued.
  reg [TK:1] tk;
  always @(posedge clk)
    if (rst) tk <= {TK{1'b0}};
    else     tk <= {tk[TK-1:1], issue};
{%- if gt .C 1%}
  wire                 dot_busy = |tk[C-1:1];
{%- end%}
{%- if gt .Period 1%}
  wire                 sv_busy  = |tk[TK:C+LS+1];
{%- end%}
  wire [LAT_SCORE-1:0] sc_en    = tk[C+LAT_SCORE-1:C];
  wire [LAT_EXP-1:0]   ex_en    = tk[C+LS-1:C+LAT_SCORE];
  wire                 sv_first = tk[C+LS];

{%- if .Overlap%}
{%template "datapath_ov" .%}
{%- else%}

  // The issued key's K and V rows: from the stream, the ring or the pinned buffer.
{%- if .Dense%}
  wire [ROW-1:0] krow = k_data;
  wire [ROW-1:0] vrow = v_data;
  wire unused_src = ^src;  // the dense core takes every key from the stream
{%- else%}
{%template "rams" .%}
{%- if .HasPin%}
  wire [ROW-1:0] krow = (src == SRC_STR) ? k_data : (src == SRC_PIN) ? pin_k : ring_k;
  wire [ROW-1:0] vrow = (src == SRC_STR) ? v_data : (src == SRC_PIN) ? pin_v : ring_v;
{%- else%}
  wire [ROW-1:0] krow = (src == SRC_STR) ? k_data : ring_k;
  wire [ROW-1:0] vrow = (src == SRC_STR) ? v_data : ring_v;
{%- end%}
{%- end%}

  // K slices to the PEs: slice 0 in the issue cycle, the rest from kreg.
{%slicer .C "kreg" "krow" "issue" "dot_busy" "k_slice"%}

  // Mask bits of the issued key, one per PE.
  wire [PES-1:0] fold_now;
  swat_mask u_mask (.key(key), .r0(r0), .rows(rows), .glob(glob), .fold(fold_now));

  // In-flight keys: V row and mask bits from issue to the exp and SV stages.
  reg [ROW-1:0] vf [0:{%sub .FifoDepth 1%}];
  reg [PES-1:0] ff [0:{%sub .FifoDepth 1%}];
  reg {%rng .FifoPtr%} f_w, f_x, f_v;
  always @(posedge clk)
    if (issue) begin
      vf[f_w] <= vrow;
      ff[f_w] <= fold_now;
    end
{%template "fifo_ptrs" .%}
  wire [PES-1:0] fold   = ff[f_x];
  wire [ROW-1:0] v_head = vf[f_v];
{%slicer .C "vsv" "v_head" "sv_first" "sv_busy" "v_slice"%}

{%template "pes" .%}
{%- end%}
endmodule
{%define "fifo_ptrs"%}  always @(posedge clk)
    if (rst) begin
      f_w <= {{%.FifoPtr%}{1'b0}};
      f_x <= {{%.FifoPtr%}{1'b0}};
      f_v <= {{%.FifoPtr%}{1'b0}};
    end else begin
      if (issue)    f_w <= f_w + {%lit .FifoPtr 1%};
      if (ex_en[0]) f_x <= f_x + {%lit .FifoPtr 1%};
      if (sv_first) f_v <= f_v + {%lit .FifoPtr 1%};
    end
{%- end%}
{%define "pes"%}  // Processing elements, chained for the o beats: PE 0 drives o_data.
  wire [(PES+1)*ROW-1:0] chain;
  assign chain[PES*ROW +: ROW] = {ROW{1'b0}};
  assign o_data = chain[ROW-1:0];
  genvar g;
  generate
    for (g = 0; g < PES; g = g + 1) begin : pe
{%- if and .Overlap (not .CoIssue)%}
      wire [SLICE-1:0] k_slice = ka_slice;
      wire [SLICE-1:0] v_slice = va_slice;
{%- end%}
      swat_pe u_pe (
        .clk(clk), .cfg_score_shift(cfg_score_shift),
        .row_load(q_load[g]), .row_in(q_data), .row_shift(o_shift),
        .chain_in(chain[(g+1)*ROW +: ROW]), .row_out(chain[g*ROW +: ROW]),
{%- if .CoIssue%}
        .dot_first(issue),{%if gt .C 1%} .dot_busy(dot_busy),{%end%} .ka_slice(ka_slice), .kb_slice(kb_slice), .k_sel(d_sel[g]),
        .sc_en(sc_en), .ex_en(ex_en), .fold(fold[g]),
        .sv_first(sv_first),{%if gt .Period 1%} .sv_busy(sv_busy),{%end%} .va_slice(va_slice), .vb_slice(vb_slice), .v_sel(v_sel[g]),
{%- else%}
        .dot_first(issue),{%if gt .C 1%} .dot_busy(dot_busy),{%end%} .k_slice(k_slice),
        .sc_en(sc_en), .ex_en(ex_en), .fold(fold[g]),
        .sv_first(sv_first),{%if gt .Period 1%} .sv_busy(sv_busy),{%end%} .v_slice(v_slice),
{%- end%}
{%- if .Overlap%}
        .nm_first(nm_first), .rc_step(rc_step), .nm_busy(nm_busy),
        .ld_bank(ld_bank), .dt_bank(d_bank ^ d_sel[g]), .ex_bank(x_bank ^ x_sel[g]),
        .sv_bank(v_bank ^ v_sel[g]), .nm_bank(nm_bank));
{%- else%}
        .nm_first(nm_first), .rc_step(rc_step), .nm_busy(nm_busy));
{%- end%}
    end
  endgenerate
{%- end%}
{%define "rams"%}  wire [ROW-1:0] ring_k, ring_v;
  swat_ram #(.WIDTH(ROW), .DEPTH(KV_BUFFER_ROWS), .ADDR_BITS({%.AW%})) u_ring_k (
    .clk(clk), .we(ring_we), .waddr(ring_waddr), .wdata(k_data), .raddr(ring_raddr), .rdata(ring_k));
  swat_ram #(.WIDTH(ROW), .DEPTH(KV_BUFFER_ROWS), .ADDR_BITS({%.AW%})) u_ring_v (
    .clk(clk), .we(ring_we), .waddr(ring_waddr), .wdata(v_data), .raddr(ring_raddr), .rdata(ring_v));
{%- if .HasPin%}
  wire [ROW-1:0] pin_k, pin_v;
  swat_ram #(.WIDTH(ROW), .DEPTH(PINNED_ROWS), .ADDR_BITS({%.PAW%})) u_pin_k (
    .clk(clk), .we(pin_we), .waddr(pin_waddr), .wdata(k_data), .raddr(pin_raddr), .rdata(pin_k));
  swat_ram #(.WIDTH(ROW), .DEPTH(PINNED_ROWS), .ADDR_BITS({%.PAW%})) u_pin_v (
    .clk(clk), .we(pin_we), .waddr(pin_waddr), .wdata(v_data), .raddr(pin_raddr), .rdata(pin_v));
{%- end%}
{%- end%}
`

const topTmpl = `{%.Hdr%}
// swat_top: hw.cores = {%.Cores%} identical attention cores, each with its own
// stream ports (cN_q_*, cN_k_*, cN_v_*, cN_o_*, as swat_core's) and done
// flag; the memory system that feeds them is outside the boundary, as for
// one core. The heads are cut into units of {%.UnitHeads%} query head(s) of one K/V
// group (dataflow.Schedule.Units); unit u runs on core u mod {%.Cores%}, so core c
// runs UNITS = {%range $i, $c := .CorePorts%}{%if $i%}, {%end%}{%$c.Units%}{%end%} units. A core without a unit is done
// from reset on. done is high when every core is done: it rises in the
// cycle after the last core's last o beat.
module swat_top #(
  parameter HEAD_DIM   = {%.D%},  // model.head_dim
  parameter IN_BITS    = {%.InBits%},  // arith in_bits
  parameter SHIFT_BITS = {%.ShW%}   // cfg_score_shift width
) (
  input  wire                        clk,
  input  wire                        rst,
  input  wire [SHIFT_BITS-1:0]       cfg_score_shift,
{%- range .CorePorts%}
  input  wire                        {%.Prefix%}q_valid,
  output wire                        {%.Prefix%}q_ready,
  input  wire [HEAD_DIM*IN_BITS-1:0] {%.Prefix%}q_data,
  input  wire                        {%.Prefix%}k_valid,
  output wire                        {%.Prefix%}k_ready,
  input  wire [HEAD_DIM*IN_BITS-1:0] {%.Prefix%}k_data,
  input  wire                        {%.Prefix%}v_valid,
  output wire                        {%.Prefix%}v_ready,
  input  wire [HEAD_DIM*IN_BITS-1:0] {%.Prefix%}v_data,
  output wire                        {%.Prefix%}o_valid,
  input  wire                        {%.Prefix%}o_ready,
  output wire [HEAD_DIM*IN_BITS-1:0] {%.Prefix%}o_data,
  output wire                        {%.Prefix%}done,
{%- end%}
  output wire                        done
);
{%- range .CorePorts%}
  swat_core #(.UNITS({%.Units%})) u_core{%.Index%} (
    .clk(clk), .rst(rst), .cfg_score_shift(cfg_score_shift),
    .q_valid({%.Prefix%}q_valid), .q_ready({%.Prefix%}q_ready), .q_data({%.Prefix%}q_data),
    .k_valid({%.Prefix%}k_valid), .k_ready({%.Prefix%}k_ready), .k_data({%.Prefix%}k_data),
    .v_valid({%.Prefix%}v_valid), .v_ready({%.Prefix%}v_ready), .v_data({%.Prefix%}v_data),
    .o_valid({%.Prefix%}o_valid), .o_ready({%.Prefix%}o_ready), .o_data({%.Prefix%}o_data),
    .done({%.Prefix%}done));
{%- end%}
  assign done = {%range $i, $c := .CorePorts%}{%if $i%} & {%end%}{%$c.Prefix%}done{%end%};
endmodule
`

// coreOverlapTmpl is swat_core's controller instance and datapath for
// hw.overlap: two key paths (block A's key, and block B's on-chip key in
// the slots B inherits), per-PE bank and key selection carried with each
// key through the pipeline.
const coreOverlapTmpl = `
{%- define "ctrl_ov"%}

  // Controller (overlapped schedule).
  wire                  o_shift, issue, kv_take, nm_first, rc_step, nm_busy, nm_bank, ld_bank;
  wire                  a_bank, a_glob, a_str;
  wire {%rng .KW%}     a_r0, a_key;
  wire {%rng .CntW%}      a_rows;
  wire [PES-1:0]        q_load;
{%- if .CoIssue%}
  wire                  b_on, b_glob;
  wire {%rng .KW%}     b_r0, b_key;
  wire {%rng .CntW%}      b_rows;
{%- end%}
{%- if not .Dense%}
  wire                  ring_we;
  wire {%rng .AW%}      ring_waddr, ring_raddr;
{%- end%}
{%- if .HasPin%}
  wire                  pin_we, oc_pin;
  wire {%rng .PAW%}      pin_waddr, pin_raddr;
{%- end%}
  swat_ctrl{%if .UnitParam%} #(.UNITS(UNITS)){%end%} u_ctrl (
    .clk(clk), .rst(rst), .q_valid(q_valid), .q_ready(q_ready), .k_valid(k_valid), .v_valid(v_valid),
    .kv_take(kv_take), .o_valid(o_valid), .o_ready(o_ready), .q_load(q_load), .ld_bank(ld_bank),
    .o_shift(o_shift), .issue(issue), .a_bank(a_bank), .a_glob(a_glob), .a_r0(a_r0), .a_rows(a_rows),
    .a_key(a_key), .a_str(a_str),
{%- if .CoIssue%}
    .b_on(b_on), .b_glob(b_glob), .b_r0(b_r0), .b_rows(b_rows), .b_key(b_key),
{%- end%}
{%- if .HasPin%}
    .oc_pin(oc_pin),
{%- end%}
{%- if not .Dense%}
    .ring_we(ring_we), .ring_waddr(ring_waddr), .ring_raddr(ring_raddr),
{%- end%}
{%- if .HasPin%}
    .pin_we(pin_we), .pin_waddr(pin_waddr), .pin_raddr(pin_raddr),
{%- end%}
    .nm_first(nm_first), .rc_step(rc_step), .nm_busy(nm_busy), .nm_bank(nm_bank), .done(done));
{%- end%}
{%- define "datapath_ov"%}

  // The slot's K and V rows: A's from the stream or on chip, B's on chip
  // (one on-chip read per slot: B's key when B co-issues, else A's).
{%- if .Dense%}
  wire [ROW-1:0] ka_row = k_data;
  wire [ROW-1:0] va_row = v_data;
  wire unused_a = ^{a_str, a_glob};  // the dense core takes every key from the stream
{%- else%}
{%template "rams" .%}
{%- if eq .C 1%}
  // C = 1: B may read a key the slot before wrote; bypass the ring.
  reg            byp;
  reg  [ROW-1:0] byp_k, byp_v;
  always @(posedge clk) begin
    byp   <= ring_we && (ring_waddr == ring_raddr);
    byp_k <= k_data;
    byp_v <= v_data;
  end
  wire [ROW-1:0] rk = byp ? byp_k : ring_k;
  wire [ROW-1:0] rv = byp ? byp_v : ring_v;
{%- else%}
  wire [ROW-1:0] rk = ring_k;
  wire [ROW-1:0] rv = ring_v;
{%- end%}
{%- if .HasPin%}
  wire [ROW-1:0] oc_k = oc_pin ? pin_k : rk;
  wire [ROW-1:0] oc_v = oc_pin ? pin_v : rv;
{%- else%}
  wire [ROW-1:0] oc_k = rk;
  wire [ROW-1:0] oc_v = rv;
{%- end%}
  wire [ROW-1:0] ka_row = a_str ? k_data : oc_k;
  wire [ROW-1:0] va_row = a_str ? v_data : oc_v;
{%- end%}

  // K slices: slice 0 in the issue cycle, the rest from the registers.
{%slicer .C "kreg_a" "ka_row" "issue" "dot_busy" "ka_slice"%}
{%- if .CoIssue%}
{%slicer .C "kreg_b" "oc_k" "issue" "dot_busy" "kb_slice"%}
{%- end%}

  // Mask bits of the slot's keys, one per PE; sel: PE p takes B's key.
  wire [PES-1:0] fold_a, sel_now;
  swat_mask u_mask_a (.key(a_key), .r0(a_r0), .rows(a_rows), .glob(a_glob), .fold(fold_a));
{%- if .CoIssue%}
  wire [PES-1:0] fold_b;
  swat_mask u_mask_b (.key(b_key), .r0(b_r0), .rows(b_rows), .glob(b_glob), .fold(fold_b));
  assign sel_now = b_on ? fold_b : {PES{1'b0}};
{%- else%}
  assign sel_now = {PES{1'b0}};
{%- end%}
  // The dot stage's selection and bank, held through the key's slices.
  reg  [PES-1:0] dsel;
  reg            dbank;
  always @(posedge clk)
    if (issue) begin
      dsel  <= sel_now;
      dbank <= a_bank;
    end
  wire [PES-1:0] d_sel  = issue ? sel_now : dsel;
  wire           d_bank = issue ? a_bank : dbank;

  // In-flight keys: V rows, mask bits, selection and bank from issue to
  // the exp and SV stages.
  reg [ROW-1:0] vfa [0:{%sub .FifoDepth 1%}];
{%- if .CoIssue%}
  reg [ROW-1:0] vfb [0:{%sub .FifoDepth 1%}];
{%- end%}
  reg [PES-1:0] ff [0:{%sub .FifoDepth 1%}];
  reg [PES-1:0] fs [0:{%sub .FifoDepth 1%}];
  reg           fb [0:{%sub .FifoDepth 1%}];
  reg {%rng .FifoPtr%} f_w, f_x, f_v;
  always @(posedge clk)
    if (issue) begin
      vfa[f_w] <= va_row;
{%- if .CoIssue%}
      vfb[f_w] <= oc_v;
{%- end%}
      ff[f_w]  <= fold_a | sel_now;
      fs[f_w]  <= sel_now;
      fb[f_w]  <= a_bank;
    end
{%template "fifo_ptrs" .%}
  wire [PES-1:0] fold   = ff[f_x];
  wire [PES-1:0] x_sel  = fs[f_x];
  wire           x_bank = fb[f_x];
  // The SV stage's rows, selection and bank, held through the key's slices.
  reg  [PES-1:0] vsel;
  reg            vbank;
  always @(posedge clk)
    if (sv_first) begin
      vsel  <= fs[f_v];
      vbank <= fb[f_v];
    end
  wire [PES-1:0] v_sel  = sv_first ? fs[f_v] : vsel;
  wire           v_bank = sv_first ? fb[f_v] : vbank;

  wire [ROW-1:0] va_head = vfa[f_v];
{%slicer .C "vsv_a" "va_head" "sv_first" "sv_busy" "va_slice"%}
{%- if .CoIssue%}
  wire [ROW-1:0] vb_head = vfb[f_v];
{%slicer .C "vsv_b" "vb_head" "sv_first" "sv_busy" "vb_slice"%}
{%- end%}

{%template "pes" .%}
{%- end%}
`
