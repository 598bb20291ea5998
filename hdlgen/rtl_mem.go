package hdlgen

const ramTmpl = `{%.Hdr%}
// swat_ram: a simple dual-port memory, one synchronous write port and one
// synchronous read port, written to infer block RAM. The K/V ring buffer
// (address = key mod KV_BUFFER_ROWS) and the pinned buffer are instances.
module swat_ram #(
  parameter WIDTH     = 8,
  parameter DEPTH     = 2,
  parameter ADDR_BITS = 1
) (
  input  wire                 clk,
  input  wire                 we,
  input  wire [ADDR_BITS-1:0] waddr,
  input  wire [WIDTH-1:0]     wdata,
  input  wire [ADDR_BITS-1:0] raddr,
  output reg  [WIDTH-1:0]     rdata
);
  reg [WIDTH-1:0] mem [0:DEPTH-1];
  always @(posedge clk)
    if (we) mem[waddr] <= wdata;
  always @(posedge clk)
    rdata <= mem[raddr];
endmodule
`

const maskTmpl = `{%.Hdr%}
// swat_mask: Mask.Allowed for the PEs of a block. PE p holds row i = r0 + p
// and folds key j when p < rows and row i attends to key j: i < G (a global
// block) or j < G, or j < SINKS{%if .Causal%} and j <= i{%end%}, or j in i's window
// ({%if .Causal%}causal: j <= i and i - j < WINDOW{%else%}bidirectional: |i - j| <= WINDOW/2{%end%}).
module swat_mask #(
  parameter PES           = {%.P%},  // hw.pes
  parameter WINDOW        = {%.W%},  // model.window
{%- if gt .G 0%}
  parameter GLOBAL_TOKENS = {%.G%},  // model.global_tokens
{%- end%}
{%- if gt .S 0%}
  parameter SINKS         = {%.S%},  // model.sinks
{%- end%}
  parameter KEY_BITS      = {%.KW%},  // key and row indices
  parameter CNT_BITS      = {%.CntW%}   // holds PES
) (
  input  wire [KEY_BITS-1:0] key,
  input  wire [KEY_BITS-1:0] r0,
  input  wire [CNT_BITS-1:0] rows,
  input  wire                glob,
  output wire [PES-1:0]      fold
);
{%- if .Causal%}
  localparam [KEY_BITS-1:0] K_W = WINDOW;
{%- else%}
  localparam [KEY_BITS-1:0] K_H = WINDOW / 2;
{%- end%}
{%- if gt .G 0%}
  localparam [KEY_BITS-1:0] K_G = GLOBAL_TOKENS;
  wire key_glob = key < K_G;
{%- else%}
  wire key_glob = 1'b0;
{%- end%}
{%- if gt .S 0%}
  localparam [KEY_BITS-1:0] K_S = SINKS;
{%- end%}
  genvar g;
  generate
    for (g = 0; g < PES; g = g + 1) begin : pe
      localparam [KEY_BITS-1:0] OFF = g;
      localparam [CNT_BITS-1:0] IDX = g;
      wire [KEY_BITS-1:0] i = r0 + OFF;
{%- if .Causal%}
      wire win  = (key <= i) && (i < key + K_W);
{%- else%}
      wire win  = (i <= key + K_H) && (key <= i + K_H);
{%- end%}
{%- if gt .S 0%}
      wire sink = (key < K_S){%if .Causal%} && (key <= i){%end%};
{%- else%}
      wire sink = 1'b0;
{%- end%}
      assign fold[g] = (IDX < rows) && (glob || key_glob || sink || win);
    end
  endgenerate
endmodule
`
