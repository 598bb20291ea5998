package hdlgen

// ctrlOverlapTmpl is swat_ctrl for hw.overlap = true: three engines that
// run side by side, each over the core's blocks in order, and a
// block-descriptor ROM (one unit's blocks, which every unit repeats).
const ctrlOverlapTmpl = `{%.Hdr%}
// swat_ctrl (hw.overlap): the overlapped schedule of dataflow/SCHEDULE.md,
// "Overlapped phases". Block s of the core's order uses bank s mod 2 of
// the PEs. Three engines run side by side:
//  * the loader: block s's preload (a unit's first windowed SWAT block;
//    from the cycle after block s-1's last key issue), then its q rows,
//    no earlier than the end of block s-2's sweep;
//  * the issue engine: one slot at a time, at least Period = max(C,
//    hw.latency.acc) cycles apart; slot
//    x of block A (the oldest block with keys left) issues A's key x and,
//    from x = D on, B's (A's successor) key x - D, an on-chip key, to
//    other PEs (B inherits those positions). A's first own slot waits for
//    A's q rows and the end of block A-2's output; slot D waits for B's
//    q rows and the end of block A-1's output; a stream key waits for k
//    and v;
//  * the divider and output: block s's division from the end of its sweep
//    (Tail = C + Ls + Period cycles after its last issue) and of block
//    s-1's output, NormCycles = LR + C + Ln - 1 cycles, then its o rows.
// The descriptor ROM holds, per block of a unit, its rows, its sweep as
// pinned, ring and stream runs (ring addresses included) and D, computed
// by the generator from dataflow.Schedule.Offset ({%len .Descs%} entries of {%.DescW%} bits).
module swat_ctrl #(
{%template "ctrl_head" .%}
  output wire [PES-1:0]           q_load,   // the q beat goes to PE p
  output wire                     ld_bank,  // ... into this bank
  output wire                     o_shift,  // an o beat: the PE output rows shift down
  output wire                     issue,    // a slot: A's key issues (and B's with b_on)
  output wire                     a_bank,
  output wire                     a_glob,
  output wire [KEY_BITS-1:0]      a_r0,
  output wire [CNT_BITS-1:0]      a_rows,
  output wire [KEY_BITS-1:0]      a_key,
  output wire                     a_str,    // A's key comes from the k/v streams
{%- if .CoIssue%}
  output wire                     b_on,     // B's key issues too (an on-chip key)
  output wire                     b_glob,
  output wire [KEY_BITS-1:0]      b_r0,
  output wire [CNT_BITS-1:0]      b_rows,
  output wire [KEY_BITS-1:0]      b_key,
{%- end%}
{%- if .HasPin%}
  output wire                     oc_pin,   // the slot's on-chip key is a pinned one
{%- end%}
{%- template "ctrl_buffers" .%}
  output wire                     nm_bank,
  output wire                     done
);
{%- if .Flash%}
  localparam [1:0] SRC_STR = 2'd2;
{%- else%}
  localparam [1:0] SRC_PIN = 2'd0, SRC_RING = 2'd1, SRC_STR = 2'd2;
{%- end%}
  localparam DW = {%.DescW%};  // descriptor bits
  localparam PER = {%len .Descs%};  // blocks per unit
  localparam [{%sub .BW 1%}:0] B_ONE = 1, B_TWO = 2;
  localparam [{%sub .BW 1%}:0] TOTAL = {%if .UnitParam%}UNITS * PER{%else%}PER{%end%};  // blocks of the core
  localparam [{%sub .JW 1%}:0] J_ONE = 1, J_LAST = {%lit .JW (sub (len .Descs) 1)%};  // PER - 1
  localparam [KEY_BITS-1:0] K_ONE = 1;
  localparam [CNT_BITS-1:0] C_ONE = 1;
  localparam [TMR_BITS-1:0] T_ONE = 1, T_LR = LR;
  localparam [TMR_BITS-1:0] T_NRM = {%lit .TmrW (sub .NormCyc 1)%};  // LR + C + Ln - 2
{%- if not .Dense%}
  localparam [KEY_BITS-1:0] K_DEPTH = KV_BUFFER_ROWS;
{%- end%}

  // The descriptor ROM: {glob, r0, rows, preload, pinned count, ring first
  // key, count, address, stream first key, count, address, keys K, D}.
  function [DW-1:0] desc(input [{%sub .JW 1%}:0] j);
    case (j)
{%.DescROM%}      default: desc = {DW{1'b0}};
    endcase
  endfunction
  function [{%sub .JW 1%}:0] jnext(input [{%sub .JW 1%}:0] j);
    jnext = (j == J_LAST) ? {{%.JW%}{1'b0}} : j + J_ONE;
  endfunction
{%- if not .Dense%}
  // (key, address) of key at + off of a run starting at ring address a
  function [ADDR_BITS-1:0] wrap(input [ADDR_BITS-1:0] a, input [KEY_BITS-1:0] off);
    reg [KEY_BITS-1:0] s;
    begin
      s = {{%sub .KW .AW%}'d0, a} + off;
      if (s >= K_DEPTH) s = s - K_DEPTH;
      wrap = s[ADDR_BITS-1:0];
    end
  endfunction
{%- end%}

  // ---- Issue engine.
  reg  [{%sub .BW 1%}:0] ia;  // block A: blocks before it issued every key
  reg  [{%sub .JW 1%}:0] ja;  // its descriptor
  reg  [KEY_BITS-1:0] x;   // its next position
  reg  [KEY_BITS-1:0] ta;  // its first own position (the ones before are inherited)
  reg  [{%sub .BW 1%}:0] lcnt, scnt, ocnt;  // blocks loaded, swept, output
  wire [{%sub .JW 1%}:0] jb = jnext(ja);
  wire [DW-1:0] da_desc = desc(ja);
  wire [DW-1:0] db_desc = desc(jb);
{%- if .Flash%}
{%.DescUnpack "da" "glob" "r0" "rows" "str_lo" "str_n" "s2_lo" "k" "off"%}
{%.DescUnpack "db" "k"%}
{%- else if .Dense%}
{%.DescUnpack "da" "glob" "r0" "rows" "pin_n" "ring_lo" "ring_n" "str_lo" "k" "off"%}
{%.DescUnpack "db" "k"%}
{%- else if .CoIssue%}
{%.DescUnpack "da" "glob" "r0" "rows" "pin_n" "ring_lo" "ring_n" "ring_a" "str_lo" "str_a" "k" "off"%}
{%.DescUnpack "db" "glob" "r0" "rows" "pin_n" "ring_lo" "ring_n" "k"%}
{%- else%}
{%.DescUnpack "da" "glob" "r0" "rows" "pin_n" "ring_lo" "ring_n" "ring_a" "str_lo" "str_a" "k" "off"%}
{%.DescUnpack "db" "k"%}
{%- end%}
  // (the block counts never pass TOTAL; != keeps the comparison non-constant for an idle core)
  wire a_live = ia != TOTAL;
  wire b_live = a_live && (ia + B_ONE != TOTAL);
  wire co     = da_off < da_k;  // B inherits A's positions D..K-1 (then B exists)
  // A's key at x
  wire [KEY_BITS-1:0] da_x = x;
{%- if .Flash%}
{%template "at_flash" "da"%}
{%- else%}
{%template "at" "da"%}
{%- end%}
{%- if not .Dense%}
{%template "addr" "da"%}
{%- end%}
{%- if .CoIssue%}
  // B's key at x - D
  wire [KEY_BITS-1:0] db_x = x - da_off;
  wire [KEY_BITS-1:0] db_str_lo = {KEY_BITS{1'b0}};  // B's inherited keys are on chip
  assign b_on = co && (x >= da_off);
{%template "at" "db"%}
{%- else%}
  wire unused_co = co;
{%- end%}
{%- if gt .Period 1%}
  reg  {%rng .CoolW%} cool;  // cycles until the next slot
  wire can = cool == {{%.CoolW%}{1'b0}};
{%- else%}
  wire can = 1'b1;
{%- end%}
  wire g_own = (x != ta) || ((lcnt > ia) && (ocnt + B_ONE >= ia));
  wire g_co  = !co || (x != da_off) || ((lcnt > ia + B_ONE) && (ocnt >= ia));
  wire g_kv  = (da_src != SRC_STR) || (k_valid && v_valid);
  assign issue  = a_live && can && g_own && g_co && g_kv;
  assign a_bank = ia[0];
  assign a_str  = da_src == SRC_STR;
{%- if .CoIssue%}
  assign b_glob = db_glob;
  assign b_r0   = db_r0;
  assign b_rows = db_rows;
  assign b_key  = db_key;
{%- end%}
  assign a_glob = da_glob;
  assign a_r0   = da_r0;
  assign a_rows = da_rows;
  assign a_key  = da_key;

  // Next state: past A's last position, B (or, when B inherited all its
  // positions, the block after it) becomes A.
  wire [KEY_BITS-1:0] x1    = x + K_ONE;
  wire                a_end = x1 == da_k;
  wire [KEY_BITS-1:0] t_b   = co ? da_k - da_off : {KEY_BITS{1'b0}};
  wire                b_all = b_live && (t_b == db_k);
  reg  [{%sub .BW 1%}:0] ia_d;
  reg  [{%sub .JW 1%}:0] ja_d;
  reg  [KEY_BITS-1:0] x_d, ta_d;
  reg  [1:0]          tok;  // blocks whose last key issues in this slot
  always @* begin
    ia_d = ia; ja_d = ja; x_d = x; ta_d = ta; tok = 2'd0;
    if (issue) begin
      if (!a_end)
        x_d = x1;
      else if (!b_all) begin
        ia_d = ia + B_ONE; ja_d = jb; x_d = t_b; ta_d = t_b; tok = 2'd1;
      end else begin
        ia_d = ia + B_TWO; ja_d = jnext(jb); x_d = {KEY_BITS{1'b0}}; ta_d = {KEY_BITS{1'b0}}; tok = 2'd2;
      end
    end
  end
{%- if not .Dense%}
  // The buffers read the next slot's on-chip key a cycle ahead.
  wire [DW-1:0] dn_desc = desc(ja_d);
  wire [DW-1:0] dm_desc = desc(jnext(ja_d));
{%- if .CoIssue%}
{%.DescUnpack "dn" "pin_n" "ring_lo" "ring_n" "ring_a" "str_lo" "str_a" "k" "off"%}
{%.DescUnpack "dm" "pin_n" "ring_lo" "ring_n" "ring_a"%}
{%- else%}
{%.DescUnpack "dn" "pin_n" "ring_lo" "ring_n" "ring_a" "str_lo" "str_a"%}
  wire unused_dm = ^dm_desc;
{%- end%}
  wire [KEY_BITS-1:0] dn_x = x_d;
{%template "at" "dn"%}
{%template "addr" "dn"%}
{%- if .CoIssue%}
  wire [KEY_BITS-1:0] dm_x = x_d - dn_off;
  wire [KEY_BITS-1:0] dm_str_lo = {KEY_BITS{1'b0}};
  wire [ADDR_BITS-1:0] dm_str_a = {ADDR_BITS{1'b0}};
{%template "at" "dm"%}
{%template "addr" "dm"%}
  wire                rd_b    = (dn_off < dn_k) && (x_d >= dn_off);
  wire [1:0]          rd_src  = rd_b ? dm_src : dn_src;
  wire [KEY_BITS-1:0] rd_key  = rd_b ? dm_key : dn_key;
  wire [ADDR_BITS-1:0] rd_addr = rd_b ? dm_addr : dn_addr;
{%- else%}
  wire [1:0]          rd_src  = dn_src;
  wire [KEY_BITS-1:0] rd_key  = dn_key;
  wire [ADDR_BITS-1:0] rd_addr = dn_addr;
{%- end%}
  wire unused_rd = ^rd_src;
  assign ring_we    = issue && a_str && !da_glob;
  assign ring_waddr = da_addr;
  assign ring_raddr = rd_addr;
{%- if .HasPin%}
  assign oc_pin     = {%if .CoIssue%}b_on ? (db_src == SRC_PIN) : {%end%}(da_src == SRC_PIN);
  assign pin_raddr  = rd_key[PIN_ADDR_BITS-1:0];  // a pinned key is its address
  wire unused_rk = ^rd_key[KEY_BITS-1:PIN_ADDR_BITS];
{%- else%}
  wire unused_rk = ^rd_key;
{%- end%}
{%- end%}

  // Sweep ends: a block's sweep ends Tail = C + Ls + Period cycles after its
  // last issue (dataflow.Timing.Tail).
  localparam TK = {%sub .Tail 1%};
  reg [2*TK-1:0] etl;  // tok, delayed
  always @(posedge clk)
    if (rst) etl <= {(2*TK){1'b0}};
    else     etl <= {etl[2*TK-3:0], tok};

  // ---- Loader.
  reg  [{%sub .JW 1%}:0] lj;
  reg                 lq;   // the block's preload is done (or it has none)
  reg  [CNT_BITS-1:0] lc;   // beat counter
  wire [DW-1:0] dl_desc = desc(lj);
{%.DescUnpack "dl" "rows" "pre"%}
  wire l_live = lcnt != TOTAL;
{%- if .HasPin%}
  wire pre_on = l_live && !lq && dl_pre && (ia >= lcnt);  // block lcnt-1 issued its last key
  wire pre_take = pre_on && k_valid && v_valid;
  assign pin_we    = pre_take;
  assign pin_waddr = {%fit .PAW .CntW "lc"%};
{%- else%}
  wire unused_pre = ^{dl_pre, lq};
  wire pre_take = 1'b0;
{%- end%}
  wire q_on = l_live && (lq || !dl_pre) && (scnt + B_ONE >= lcnt);  // block lcnt-2's sweep ended
  assign q_ready = q_on;
  assign ld_bank = lcnt[0];
  assign kv_take = pre_take || (issue && a_str);
  genvar g;
  generate
    for (g = 0; g < PES; g = g + 1) begin : ld
      localparam [CNT_BITS-1:0] IDX = g;
      assign q_load[g] = q_on && q_valid && (lc == IDX);
    end
  endgenerate

  // ---- Division and output.
  localparam [1:0] NP_WAIT = 2'd0, NP_NRM = 2'd1, NP_OUT = 2'd2;
  reg  [{%sub .JW 1%}:0] oj;
  reg  [1:0]          nph;
  reg  [TMR_BITS-1:0] tmr;
  reg  [CNT_BITS-1:0] oc;
  wire [DW-1:0] do_desc = desc(oj);
{%.DescUnpack "do" "rows"%}
  assign nm_first = (nph == NP_WAIT) && (ocnt != TOTAL) && (scnt > ocnt);
  assign rc_step  = (nph == NP_NRM) && (tmr < T_LR);
  assign nm_busy  = (nph == NP_NRM) && (tmr >= T_LR);
  assign nm_bank  = ocnt[0];
  assign o_valid  = nph == NP_OUT;
  assign o_shift  = o_valid && o_ready;
  assign done     = ocnt == TOTAL;

  always @(posedge clk) begin
    if (rst) begin
      ia <= {{%.BW%}{1'b0}}; ja <= {{%.JW%}{1'b0}}; x <= {KEY_BITS{1'b0}}; ta <= {KEY_BITS{1'b0}};
      lcnt <= {{%.BW%}{1'b0}}; lj <= {{%.JW%}{1'b0}}; lq <= 1'b0; lc <= {CNT_BITS{1'b0}};
      scnt <= {{%.BW%}{1'b0}};
      ocnt <= {{%.BW%}{1'b0}}; oj <= {{%.JW%}{1'b0}}; nph <= NP_WAIT; tmr <= {TMR_BITS{1'b0}}; oc <= {CNT_BITS{1'b0}};
{%- if gt .Period 1%}
      cool <= {{%.CoolW%}{1'b0}};
{%- end%}
    end else begin
      ia <= ia_d; ja <= ja_d; x <= x_d; ta <= ta_d;
{%- if gt .Period 1%}
      if (issue)
        cool <= {%lit .CoolW (sub .Period 1)%};
      else if (!can)
        cool <= cool - {%lit .CoolW 1%};
{%- end%}
      scnt <= scnt + {{%sub .BW 2%}'d0, etl[2*TK-1:2*TK-2]};
{%- if .HasPin%}
      if (pre_take) begin
        if (lc == {%lit .CntW (sub .Pin 1)%}) begin
          lq <= 1'b1;
          lc <= {CNT_BITS{1'b0}};
        end else
          lc <= lc + C_ONE;
      end
{%- end%}
      if (q_on && q_valid) begin
        if (lc == dl_rows - C_ONE) begin
          lcnt <= lcnt + B_ONE;
          lj   <= jnext(lj);
          lq   <= 1'b0;
          lc   <= {CNT_BITS{1'b0}};
        end else
          lc <= lc + C_ONE;
      end
      case (nph)
        NP_WAIT:
          if (nm_first) begin
            nph <= NP_NRM;
            tmr <= T_ONE;
          end
        NP_NRM:
          if (tmr == T_NRM) begin
            nph <= NP_OUT;
            oc  <= {CNT_BITS{1'b0}};
          end else
            tmr <= tmr + T_ONE;
        NP_OUT:
          if (o_ready) begin
            if (oc != do_rows - C_ONE)
              oc <= oc + C_ONE;
            else begin
              ocnt <= ocnt + B_ONE;
              oj   <= jnext(oj);
              nph  <= NP_WAIT;
            end
          end
        default: ;
      endcase
    end
  end
endmodule
{%define "at"%}
  // position {%.%}_x of the sweep: pinned keys, then ring, then stream
  wire [KEY_BITS-1:0] {%.%}_pr  = {%.%}_pin_n + {%.%}_ring_n;
  wire [1:0]          {%.%}_src = ({%.%}_x < {%.%}_pin_n) ? SRC_PIN : ({%.%}_x < {%.%}_pr) ? SRC_RING : SRC_STR;
  wire [KEY_BITS-1:0] {%.%}_ro  = {%.%}_x - {%.%}_pin_n;
  wire [KEY_BITS-1:0] {%.%}_so  = {%.%}_x - {%.%}_pr;
  wire [KEY_BITS-1:0] {%.%}_key = ({%.%}_src == SRC_PIN) ? {%.%}_x : ({%.%}_src == SRC_RING) ? {%.%}_ring_lo + {%.%}_ro : {%.%}_str_lo + {%.%}_so;
{%- end%}
{%define "at_flash"%}
  // position {%.%}_x of the sweep: {%.%}_str_n keys from {%.%}_str_lo, then from {%.%}_s2_lo
  wire [1:0]          {%.%}_src = SRC_STR;
  wire [KEY_BITS-1:0] {%.%}_so  = {%.%}_x - {%.%}_str_n;
  wire [KEY_BITS-1:0] {%.%}_key = ({%.%}_x < {%.%}_str_n) ? {%.%}_str_lo + {%.%}_x : {%.%}_s2_lo + {%.%}_so;
{%- end%}
{%define "addr"%}
  wire [ADDR_BITS-1:0] {%.%}_addr = ({%.%}_src == SRC_RING) ? wrap({%.%}_ring_a, {%.%}_ro) : wrap({%.%}_str_a, {%.%}_so);
{%- end%}
`
