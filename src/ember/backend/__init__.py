"""The only place Ember imports an array library.

Ops never name NumPy or CuPy: they ask for the array module of their inputs
(``xp_of``) and call it.  Today that is always NumPy; CuPy arrays plug in here.
"""

import numpy

np = numpy  # the CPU array module, for modules that need it explicitly

ndarray = numpy.ndarray


def xp_of(array):
    """Return the array module (NumPy or CuPy) that owns ``array``."""
    if type(array) is numpy.ndarray or not hasattr(array, "__cuda_array_interface__"):
        return numpy
    import cupy  # pragma: no cover - only with a GPU

    return cupy


def asnumpy(array):
    """Return ``array`` as a NumPy array (copying from the GPU if needed)."""
    if isinstance(array, numpy.ndarray):
        return array
    if hasattr(array, "get"):  # pragma: no cover - CuPy
        return array.get()
    return numpy.asarray(array)
