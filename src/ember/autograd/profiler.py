"""``ember.autograd.profiler``: the older profiler API.

``with profile() as prof: ...`` then ``prof.key_averages().table()``; ``record_function``
names a range.  The recording is ``ember.profiler``'s (see there for what is recorded and
how ops are named); only CPU activity exists on this build.
"""

from __future__ import annotations

from ..profiler._events import EventList, FunctionEvent, FunctionEventAvg
from ..profiler._legacy import profile, record_function

__all__ = ["profile", "record_function", "EventList", "FunctionEvent", "FunctionEventAvg"]
