"""Ember's differentiable primitives, one module per family.

Each family module declares its ops in the registry (``ops/registry.py``): the ``Node``
subclass, the public function, the Tensor methods, the in-place form, vmap's rule and the
``OpSpec``, in one block per op.  ``ember.Tensor`` and the top-level functions are derived
from those declarations; ``ops/families.py`` lists the families.
"""
