package hdlgen

// ctrlFlashTmpl is what swat_ctrl adds for arch = flash: the windowed
// block's key tiles, found without a divider. A tile ends where the key's
// offset in it (tpos, counted as the sweep goes) reaches KEY_TILE - 1 or
// at key SEQ_LEN - 1; tl, the first key of the tile holding the block's
// first window key lo, is a constant for a head's first windowed block and
// is caught for the next block during each sweep: the next block's lo_nx
// lies in lo..(the sweep's last key + 1), so the sweep either issues it
// (tl_nx = lo_nx - tpos) or ends just before it at a tile end (tl_nx =
// lo_nx).
const ctrlFlashTmpl = `{%define "flash_segments"%}
  // Segments: the tiles from str_lo on while a tile starts at most pin_hi
  // (a pinned tile) or lies in tl..hi (a window tile); past the pinned
  // tiles the sweep jumps ahead to tl. A global block sweeps every tile.
  localparam [KEY_BITS-1:0] K_TL0 = {%.TileL0%};  // floor(lo(G) / KEY_TILE) * KEY_TILE, G = model.global_tokens
  reg  [KEY_BITS-1:0] tl;     // the first key of the tile holding lo
  reg  [KEY_BITS-1:0] tl_nx;  // ... holding the next block's lo
{%- if gt .Pin 0%}
  localparam [KEY_BITS-1:0] K_PIN = {%.Pin%};
  wire [KEY_BITS-1:0] pin_hi = {%if and .Causal (gt .Pin 1)%}(r1 < K_PIN - K_ONE) ? r1 : {%end%}K_PIN - K_ONE;
  wire [KEY_BITS-1:0] str_lo = {KEY_BITS{1'b0}};  // every block starts with the pinned tiles
{%- else%}
  wire [KEY_BITS-1:0] str_lo = glob ? {KEY_BITS{1'b0}} : tl;
{%- end%}
  // The next block's first window key (its r0 is r0p).
{%- if .Causal%}
  wire [KEY_BITS-1:0] lo_nx = (r0p + K_ONE > K_W) ? r0p + K_ONE - K_W : {KEY_BITS{1'b0}};
{%- else%}
  wire [KEY_BITS-1:0] lo_nx = (r0p > K_H) ? r0p - K_H : {KEY_BITS{1'b0}};
{%- end%}
{%- end%}
{%define "flash_next"%}
  // After a tile's last key the sweep goes on to the next tile, jumps to
  // tl, or ends.
  wire [KEY_BITS-1:0] key1 = key + K_ONE;
  wire                at_n = key == K_N - K_ONE;
{%- if gt .TPW 0%}
  localparam integer  T_END = KEY_TILE - 1;
  localparam {%rng .TPW%} T_LAST = T_END[{%sub .TPW 1%}:0];
  reg  {%rng .TPW%} tpos;  // key's offset in its tile
  wire                tend = at_n || (tpos == T_LAST);
  wire [KEY_BITS-1:0] tile = key - {%zext .KW .TPW "tpos"%};  // its tile's first key
{%- else%}
  wire                tend = 1'b1;  // KEY_TILE = 1: every key is a tile
  wire [KEY_BITS-1:0] tile = key;
{%- end%}
  wire                more = !at_n && (glob{%if gt .Pin 0%} || (key1 <= pin_hi){%end%} || ((key1 >= tl) && (key1 <= hi)));
  wire                jump = !glob && (key1 < tl);
{%- end%}
{%define "flash_reset"%}
      tl    <= K_TL0;
      tl_nx <= K_TL0;
{%- if gt .TPW 0%}
      tpos  <= {{%.TPW%}{1'b0}};
{%- end%}
{%- end%}
{%define "flash_regs"%}
{%- if gt .TPW 0%}
      if (phase == PH_LDQ)
        tpos <= {{%.TPW%}{1'b0}};
      else if (issue)
        tpos <= tend ? {{%.TPW%}{1'b0}} : tpos + {%lit .TPW 1%};
{%- end%}
      if (issue && (key == lo_nx))
        tl_nx <= tile;
      else if (sweep_end && (key1 == lo_nx))
        tl_nx <= lo_nx;
{%- end%}
`
