package hdlgen

const ctrlTmpl = `{%.Hdr%}
// swat_ctrl: the controller, the block/segment/phase machine of
// dataflow/SCHEDULE.md. Per head: the global blocks (rows < GLOBAL_TOKENS,
// PES at a time, every key from the stream), then the windowed blocks.
{%- if .UnitParam%}
// The core runs UNITS units one after another ("Heads, K/V groups and
// cores"){%if gt .UnitHeads 1%}; a unit is {%.UnitHeads%} query heads of one K/V group,
// block b of each head in turn before block b+1. The unit's later heads
// stream nothing in a windowed block: its window keys are in the ring
// (recv has passed them) and its pinned keys in the pinned buffer{%end%}.
{%- end%}
{%- if .Flash%}
// Flash arch: a windowed block [r0, r1] sweeps, all from the stream, the key
// tiles of KEY_TILE rows (from key 0) that meet its pinned keys 0..pin_hi or
// its window lo..hi, each tile whole: one or two runs of keys, the second
// issued right after the first (no cycle lost at the jump).
{%- else if .Dense%}
// Dense arch: a windowed block [r0, r1] sweeps keys 0..{%if .Causal%}r1{%else%}SEQ_LEN-1{%end%}, all from the stream.
{%- else%}
// A windowed SWAT block sweeps the pinned keys (pinned buffer), then the
// ring keys max(lo, PIN)..recv-1 (ring buffer), then the stream keys
// recv..hi, written to the ring at recv mod KV_BUFFER_ROWS.
{%- end%}
// Phases: preload, loadq, sweep, drain (the last key's pipeline, Tail - 1
// = C + Ls + Period - 1 cycles), norm (Lr + C + Ln - 1 cycles), out. Keys
// issue at least Period = max(C, La) cycles apart; a stream key issues in
// the first such cycle with k and v valid.
module swat_ctrl #(
  parameter SEQ_LEN        = {%.N%},  // model.seq_len
{%- if .Win%}
  parameter WINDOW         = {%.W%},  // model.window
{%- end%}
{%- if gt .NGlobal 0%}
  parameter GLOBAL_TOKENS  = {%.G%},  // model.global_tokens
{%- end%}
{%- if gt .TPW 0%}
  parameter KEY_TILE       = {%.KeyTile%},  // min(hw.key_tile, model.seq_len): a tile's keys
{%- end%}
{%template "ctrl_head" .%}
  output reg                      glob,     // the block is a global block
  output reg  [KEY_BITS-1:0]      r0,       // its first row
  output wire [CNT_BITS-1:0]      rows,     // its rows
  output wire [PES-1:0]           q_load,   // the q beat goes to PE p
  output wire                     o_shift,  // an o beat: the PE rows shift down
  output wire                     issue,    // key 'key' issues this cycle
  output reg  [1:0]               src,      // where its K/V rows come from
  output reg  [KEY_BITS-1:0]      key,
{%- template "ctrl_buffers" .%}
  output wire                     done
);
  localparam [2:0] {%if .HasPin%}PH_PRE = 3'd0, {%end%}PH_LDQ = 3'd1, PH_SWP = 3'd2, PH_DRN = 3'd3,
                   PH_NRM = 3'd4, PH_OUT = 3'd5, PH_DONE = 3'd6;
  localparam [2:0] PH_FIRST = {%if .PreloadFirst%}PH_PRE{%else%}PH_LDQ{%end%};  // a head's first block
{%- if .Dense%}
  localparam [1:0] SRC_STR = 2'd2;
{%- else%}
  localparam [1:0] SRC_PIN = 2'd0, SRC_RING = 2'd1, SRC_STR = 2'd2;
{%- end%}
  localparam [KEY_BITS-1:0] K_ONE = 1, K_N = SEQ_LEN, K_P = PES{%if gt .NGlobal 0%}, K_G = GLOBAL_TOKENS{%end%};
{%- if .Win%}
{%- if .Causal%}
  localparam [KEY_BITS-1:0] K_W = WINDOW;
{%- else%}
  localparam [KEY_BITS-1:0] K_H = WINDOW / 2;
{%- end%}
{%- end%}
  localparam [CNT_BITS-1:0] C_ONE = 1;
  localparam [TMR_BITS-1:0] T_ONE = 1, T_LR = LR;
  // drain: Tail - 1 = C + Ls + Period - 1 cycles (C = {%.C%} slices, Ls = {%.Ls%}, Period = {%.Period%});
  // norm: LR + C + Ln - 1 = {%.NormCyc%} cycles (Ln = hw.latency.norm = {%.LatNorm%})
  localparam [TMR_BITS-1:0] T_DRN = {%lit .TmrW (sub .Tail 2)%};
  localparam [TMR_BITS-1:0] T_NRM = {%lit .TmrW (sub .NormCyc 1)%};

  reg [2:0]          phase;
  reg [CNT_BITS-1:0] cnt;  // beat counter of preload, loadq and out
  reg [TMR_BITS-1:0] tmr;  // cycle counter of drain and norm
{%- if .UnitParam%}
  reg {%rng .UnitW%} unit;  // the unit in progress
  localparam integer U_END = (UNITS > 0) ? UNITS - 1 : 0;
  localparam [{%sub .UnitW 1%}:0] U_LAST = U_END[{%sub .UnitW 1%}:0];
{%- end%}
{%- if gt .UnitHeads 1%}
  reg {%rng .HsW%} hs;  // the unit's head whose block is in progress
{%- end%}

  // Block geometry: rows r0..r1 of the global (glob) or windowed group
{%- if or .Flash .Win%}
  // and its window{%if not .Flash%} lo..hi{%else%}'s last key hi{%end%}
{%- end%}. Registered (timing closure): they take, with r0
  // and glob, the next block's values (*_nx), which are computed from
  // nx_r0 and glob_more during the block, so that the sweep's key logic
  // starts from registers.
  wire [KEY_BITS-1:0] r0p  = r0 + K_P;
{%- if gt .NGlobal 0%}
  function [KEY_BITS-1:0] geo_r1x(input [KEY_BITS-1:0] row, input is_glob);  // r1 + 1 of the block at row
    geo_r1x = (row + K_P < (is_glob ? K_G : K_N)) ? row + K_P : (is_glob ? K_G : K_N);
  endfunction
{%- else%}
  wire unused_glob = glob;  // no global tokens: glob stays 0
  function [KEY_BITS-1:0] geo_r1x(input [KEY_BITS-1:0] row);  // r1 + 1 of the block at row
    geo_r1x = (row + K_P < K_N) ? row + K_P : K_N;
  endfunction
{%- end%}
  reg  [CNT_BITS-1:0] rows_q, rows_nx;
  assign rows = rows_q;
{%- if .NeedR1%}
  reg  [KEY_BITS-1:0] r1, r1_nx;
{%- end%}
{%- if and .Win (not .Flash)%}
  function [KEY_BITS-1:0] geo_lo(input [KEY_BITS-1:0] row);  // the window's first key of row
{%- if .Causal%}
    geo_lo = (row + K_ONE > K_W) ? row + K_ONE - K_W : {KEY_BITS{1'b0}};
{%- else%}
    geo_lo = (row > K_H) ? row - K_H : {KEY_BITS{1'b0}};
{%- end%}
  endfunction
  reg  [KEY_BITS-1:0] lo, lo_nx;
{%- end%}
{%- if or .Flash .Win%}
  function [KEY_BITS-1:0] geo_hi(input [KEY_BITS-1:0] last);  // the window's last key of row last
{%- if .Causal%}
    geo_hi = last;
{%- else%}
    geo_hi = (last + K_H < K_N) ? last + K_H : K_N - K_ONE;
{%- end%}
  endfunction
  reg  [KEY_BITS-1:0] hi, hi_nx;
{%- end%}
{%template "segments" .%}
{%template "keys" .%}
{%template "phases" .%}

  assign q_ready  = phase == PH_LDQ;
  assign o_valid  = phase == PH_OUT;
  assign o_shift  = o_valid && o_ready;
  assign nm_first = (phase == PH_NRM) && (tmr == {TMR_BITS{1'b0}});
  assign rc_step  = (phase == PH_NRM) && (tmr != {TMR_BITS{1'b0}}) && (tmr < T_LR);
  assign nm_busy  = (phase == PH_NRM) && (tmr >= T_LR);
  assign done     = phase == PH_DONE;
  genvar g;
  generate
    for (g = 0; g < PES; g = g + 1) begin : ld
      localparam [CNT_BITS-1:0] IDX = g;
      assign q_load[g] = (phase == PH_LDQ) && q_valid && (cnt == IDX);
    end
  endgenerate
endmodule
{%define "geo_nx"%}
  // The next block's geometry, computed during the block (nx_r0 and
  // glob_more change only with r0 and glob, at least five cycles apart).
  wire [KEY_BITS-1:0] rows_0w  = {%.GeoR1x "{KEY_BITS{1'b0}}" "1'b1"%};  // the first block's rows (r0 = 0)
  wire [KEY_BITS-1:0] rows_nxw = {%.GeoR1x "nx_r0" "glob_more"%} - nx_r0;
{%- if lt .CntW .KW%}
  wire unused_rows = ^{rows_0w[KEY_BITS-1:CNT_BITS], rows_nxw[KEY_BITS-1:CNT_BITS]};  // rows <= PES
{%- end%}
  always @(posedge clk)
    {%.GeoRegs true%} <= {%.GeoValues "rows_nxw" "nx_r0" "glob_more"%};
{%- end%}
{%define "segments"%}
{%- if .Flash%}
{%template "flash_segments" .%}
{%- else if .Dense%}
  // Segments: one, from the stream.
  wire [KEY_BITS-1:0] str_lo  = {KEY_BITS{1'b0}};
  wire [KEY_BITS-1:0] str_hi  = {%if .Causal%}glob ? K_N - K_ONE : r1{%else%}K_N - K_ONE{%end%};
{%- else%}
  // Segments: pinned 0..pin_hi, ring from..ring_hi, stream recv..str_hi.
  localparam [KEY_BITS-1:0]  {%if gt .Pin 0%}K_PIN = {%.Pin%}, {%end%}K_WSTART = {%.WStart%};
  localparam [ADDR_BITS-1:0] A_ONE = 1, A_WSTART = {%.WStartAddr%};
  localparam [ADDR_BITS-1:0] A_LAST = {%lit .AW (sub .Depth 1)%};  // KV_BUFFER_ROWS - 1
  localparam [ADDR_BITS:0]   A_DEPTH = KV_BUFFER_ROWS;
  reg  [KEY_BITS-1:0]  recv;  // the next key of the window stream
  reg  [ADDR_BITS-1:0] wptr;  // recv mod KV_BUFFER_ROWS
{%- if gt .Pin 0%}
  wire [KEY_BITS-1:0]  from    = (lo > K_PIN) ? lo : K_PIN;
  wire                 pin_en  = !glob;
  wire [KEY_BITS-1:0]  pin_hi  = {%if and .Causal (gt .Pin 1)%}(r1 < K_PIN - K_ONE) ? r1 : {%end%}K_PIN - K_ONE;
{%- else%}
  wire [KEY_BITS-1:0]  from    = lo;
  wire                 pin_en  = 1'b0;
{%- end%}
  wire [KEY_BITS-1:0]  recv_m1 = recv - K_ONE;
  wire                 ring_en = !glob && (from < recv) && (from <= hi);
  wire [KEY_BITS-1:0]  ring_hi = (recv_m1 < hi) ? recv_m1 : hi;
  wire                 str_en  = glob || (recv <= hi);
  wire [KEY_BITS-1:0]  str_lo  = glob ? {KEY_BITS{1'b0}} : recv;
  wire [KEY_BITS-1:0]  str_hi  = glob ? K_N - K_ONE : hi;
  // The ring address of key 'from': wptr - (recv - from), mod KV_BUFFER_ROWS.
  wire [KEY_BITS-1:0]  dlt     = recv - from;
  wire [ADDR_BITS:0]   dl      = dlt[ADDR_BITS:0];
  wire unused_dlt = ^dlt[KEY_BITS-1:ADDR_BITS+1];  // dlt <= KV_BUFFER_ROWS: the ring holds the segment
  wire [ADDR_BITS:0]   wp      = {1'b0, wptr};
  wire [ADDR_BITS:0]   fa      = (wp >= dl) ? wp - dl : wp + A_DEPTH - dl;
  wire [ADDR_BITS-1:0] from_addr = fa[ADDR_BITS-1:0];
  wire unused_fa = fa[ADDR_BITS];  // fa < KV_BUFFER_ROWS
{%- end%}
{%- end%}
{%define "keys"%}
  // The key register holds the next key to issue; the buffers read at
  // key_d, its next value, so that a key's rows are there when it issues.
{%- if gt .Period 1%}
  reg  {%rng .CoolW%} cool;  // cycles until the next key may issue
  wire can = cool == {{%.CoolW%}{1'b0}};
{%- else%}
  wire can = 1'b1;
{%- end%}
  assign issue   = (phase == PH_SWP) && can && ((src != SRC_STR) || (k_valid && v_valid));
  assign kv_take = {%if .HasPin%}((phase == PH_PRE) && k_valid && v_valid) || {%end%}(issue && (src == SRC_STR));
{%- if .Flash%}
{%template "flash_next" .%}
{%- else if .Dense%}
  wire                seg_last = key == str_hi;
{%- else%}
  reg  [ADDR_BITS-1:0] ra;  // the ring address of key
  reg  [ADDR_BITS-1:0] ra_d;
  wire [ADDR_BITS-1:0] ra_inc = (ra == A_LAST) ? {ADDR_BITS{1'b0}} : ra + A_ONE;
  wire [KEY_BITS-1:0]  seg_hi = {%if gt .Pin 0%}(src == SRC_PIN) ? pin_hi : {%end%}(src == SRC_RING) ? ring_hi : str_hi;
  wire                 seg_last = key == seg_hi;
{%- end%}
  reg [KEY_BITS-1:0] key_d;
  reg [1:0]          src_d;
  reg                sweep_end;
{%- if .Dense%}
  always @* begin
    key_d = key;
    src_d = SRC_STR;
    sweep_end = 1'b0;
    if (phase == PH_LDQ)
      key_d = str_lo;
    else if (issue) begin
{%- if .Flash%}
      if (!tend || more)
        key_d = key1;
      else if (jump)
        key_d = tl;
{%- else%}
      if (!seg_last)
        key_d = key + K_ONE;
{%- end%}
      else
        sweep_end = 1'b1;
    end
  end
{%- else%}
  always @* begin
    key_d = key;
    src_d = src;
    ra_d  = ra;
    sweep_end = 1'b0;
    if (phase == PH_LDQ) begin
      if (pin_en) begin
        src_d = SRC_PIN; key_d = {KEY_BITS{1'b0}};
      end else if (ring_en) begin
        src_d = SRC_RING; key_d = from; ra_d = from_addr;
      end else begin
        src_d = SRC_STR; key_d = str_lo;
      end
    end else if (issue) begin
      if (!seg_last) begin
        key_d = key + K_ONE; ra_d = ra_inc;
      end else if (src == SRC_PIN && ring_en) begin
        src_d = SRC_RING; key_d = from; ra_d = from_addr;
      end else if (src != SRC_STR && str_en) begin
        src_d = SRC_STR; key_d = str_lo;
      end else begin
        sweep_end = 1'b1;
      end
    end
  end
{%- end%}
{%- if not .Dense%}
  assign ring_we    = issue && (src == SRC_STR) && !glob;
  assign ring_waddr = wptr;
  assign ring_raddr = ra_d;
{%- end%}
{%- if .HasPin%}
  assign pin_we     = (phase == PH_PRE) && kv_take;
  assign pin_waddr  = {%fit .PAW .CntW "cnt"%};
  assign pin_raddr  = (key_d < K_PIN) ? {%fit .PAW .KW "key_d"%} : {PIN_ADDR_BITS{1'b0}};
{%- end%}
{%- end%}
{%define "phases"%}
  // The block after this one.
{%- if gt .NGlobal 0%}
  wire                glob_more = glob && (r0p < K_G);
  wire                win_more  = glob ? {%if lt .G .N%}1'b1{%else%}1'b0{%end%} : (r0p < K_N);
  wire [KEY_BITS-1:0] nx_r0     = glob && !glob_more ? K_G : r0p;
{%- else%}
  wire                glob_more = 1'b0;
  wire                win_more  = r0p < K_N;
  wire [KEY_BITS-1:0] nx_r0     = r0p;
{%- end%}
  wire                head_end  = !glob_more && !win_more;
{%- template "geo_nx" .%}
{%- if .HasPin%}
  wire [2:0]          nx_phase  = {%if gt .NGlobal 0%}(glob && !glob_more) ? PH_PRE : {%end%}PH_LDQ;
{%- else%}
  wire [2:0]          nx_phase  = PH_LDQ;
{%- end%}
  always @(posedge clk) begin
    if (rst) begin
      phase <= {%if .IdleCore%}(UNITS == 0) ? PH_DONE : {%end%}PH_FIRST;
      glob  <= 1'b{%if gt .NGlobal 0%}1{%else%}0{%end%};
      r0    <= {KEY_BITS{1'b0}};
      {%.GeoRegs false%} <= {%.GeoValues "rows_0w" "{KEY_BITS{1'b0}}" "1'b1"%};
      cnt   <= {CNT_BITS{1'b0}};
      tmr   <= {TMR_BITS{1'b0}};
      key   <= {KEY_BITS{1'b0}};
      src   <= SRC_STR;
{%- if gt .Period 1%}
      cool  <= {{%.CoolW%}{1'b0}};
{%- end%}
{%- if .UnitParam%}
      unit  <= {{%.UnitW%}{1'b0}};
{%- end%}
{%- if gt .UnitHeads 1%}
      hs    <= {{%.HsW%}{1'b0}};
{%- end%}
{%- if not .Dense%}
      ra    <= {ADDR_BITS{1'b0}};
      recv  <= K_WSTART;
      wptr  <= A_WSTART;
{%- end%}
{%- if .Flash%}{%template "flash_reset" .%}
{%- end%}
    end else begin
      key <= key_d;
      src <= src_d;
{%- if .Flash%}{%template "flash_regs" .%}
{%- end%}
{%- if not .Dense%}
      ra  <= ra_d;
      if (ring_we) begin
        recv <= recv + K_ONE;
        wptr <= (wptr == A_LAST) ? {ADDR_BITS{1'b0}} : wptr + A_ONE;
      end
{%- end%}
{%- if gt .Period 1%}
      if (issue)
        cool <= {%lit .CoolW (sub .Period 1)%};
      else if (!can)
        cool <= cool - {%lit .CoolW 1%};
{%- end%}
      case (phase)
{%- if .HasPin%}
        PH_PRE:
          if (kv_take) begin
            if (cnt == {%lit .CntW (sub .Pin 1)%}) begin
              phase <= PH_LDQ;
              cnt   <= {CNT_BITS{1'b0}};
            end else
              cnt <= cnt + C_ONE;
          end
{%- end%}
        PH_LDQ:
          if (q_valid) begin
            if (cnt == rows - C_ONE) begin
              phase <= PH_SWP;
              cnt   <= {CNT_BITS{1'b0}};
            end else
              cnt <= cnt + C_ONE;
          end
        PH_SWP:
          if (sweep_end) begin
            phase <= PH_DRN;
            tmr   <= {TMR_BITS{1'b0}};
          end
        PH_DRN:
          if (tmr == T_DRN) begin
            phase <= PH_NRM;
            tmr   <= {TMR_BITS{1'b0}};
          end else
            tmr <= tmr + T_ONE;
        PH_NRM:
          if (tmr == T_NRM) begin
            phase <= PH_OUT;
            tmr   <= {TMR_BITS{1'b0}};
            cnt   <= {CNT_BITS{1'b0}};
          end else
            tmr <= tmr + T_ONE;
        PH_OUT:
          if (o_ready) begin
            if (cnt != rows - C_ONE)
              cnt <= cnt + C_ONE;
            else begin
              cnt <= {CNT_BITS{1'b0}};
{%- if gt .UnitHeads 1%}
              if (hs != {%lit .HsW (sub .UnitHeads 1)%}) begin  // the same block of the unit's next head
                hs    <= hs + {%lit .HsW 1%};
                phase <= PH_LDQ;
              end else if (!head_end) begin
                hs    <= {{%.HsW%}{1'b0}};
{%- else%}
              if (!head_end) begin
{%- end%}
                r0    <= nx_r0;
                {%.GeoRegs false%} <= {%.GeoRegs true%};
                glob  <= glob_more;
                phase <= nx_phase;
{%- if .Flash%}
                tl    <= glob ? K_TL0 : tl_nx;
{%- end%}
              end else begin
{%- if .UnitParam%}
                if (unit == U_LAST)
                  phase <= PH_DONE;
                else begin
                  unit  <= unit + {%lit .UnitW 1%};
{%- if gt .UnitHeads 1%}
                  hs    <= {{%.HsW%}{1'b0}};
{%- end%}
                  r0    <= {KEY_BITS{1'b0}};
                  glob  <= 1'b{%if gt .NGlobal 0%}1{%else%}0{%end%};
                  {%.GeoRegs false%} <= {%.GeoValues "rows_0w" "{KEY_BITS{1'b0}}" "1'b1"%};
                  phase <= PH_FIRST;
{%- if not .Dense%}
                  recv  <= K_WSTART;
                  wptr  <= A_WSTART;
{%- end%}
{%- if .Flash%}
                  tl    <= K_TL0;
{%- end%}
                end
{%- else%}
                phase <= PH_DONE;
{%- end%}
              end
            end
          end
        default: ;
      endcase
    end
  end
{%- end%}
`

// ctrlHeadTmpl is what both controllers (sequential and overlapped) share:
// their parameters and stream ports, and their buffer and norm ports.
const ctrlHeadTmpl = `{%define "ctrl_head"%}  parameter PES            = {%.P%},  // hw.pes
{%- if .UnitParam%}
  parameter UNITS          = {%.MaxUnits%},  // units this core runs (0: idle, done from reset on)
{%- end%}
{%- if not .Dense%}
  parameter KV_BUFFER_ROWS = {%.Depth%},  // ring depth (Design.KVBufRows)
{%- end%}
  parameter LR             = {%.Lr%},  // recip_bits + 1 + hw.latency.recip
  parameter KEY_BITS       = {%.KW%},
  parameter CNT_BITS       = {%.CntW%},
  parameter TMR_BITS       = {%.TmrW%}{%if not .Dense%},
  parameter ADDR_BITS      = {%.AW%}{%end%}{%if .HasPin%},
  parameter PIN_ADDR_BITS  = {%.PAW%}{%end%}
) (
  input  wire                     clk,
  input  wire                     rst,
  input  wire                     q_valid,
  output wire                     q_ready,
  input  wire                     k_valid,
  input  wire                     v_valid,
  output wire                     kv_take,  // k_ready = v_ready: k and v transfer together
  output wire                     o_valid,
  input  wire                     o_ready,
{%- end%}
{%define "ctrl_buffers"%}{%- if not .Dense%}
  output wire                     ring_we,
  output wire [ADDR_BITS-1:0]     ring_waddr,
  output wire [ADDR_BITS-1:0]     ring_raddr,
{%- end%}
{%- if .HasPin%}
  output wire                     pin_we,
  output wire [PIN_ADDR_BITS-1:0] pin_waddr,
  output wire [PIN_ADDR_BITS-1:0] pin_raddr,
{%- end%}
  output wire                     nm_first,
  output wire                     rc_step,
  output wire                     nm_busy,
{%- end%}
`
