"""Top-level numeric constants, as in PyTorch: ``inf``, ``nan``, ``pi``, ``e``, ``newaxis``."""

import math

inf = math.inf
nan = math.nan
pi = math.pi
e = math.e
newaxis = None
