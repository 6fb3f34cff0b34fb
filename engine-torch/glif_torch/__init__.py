"""The workbench's second training engine: GLIF networks on PyTorch (one or many processes).

It takes the workbench's run config and trains that experiment, reporting the same events as
the TF.js engine. The neuron, tdBN and blocks mirror src-main/engine (same parameter names, same
float32 operation order), checked against the authors' parity fixtures by `glif parity --engine torch`.
"""

MIN_TORCH = (1, 13)
