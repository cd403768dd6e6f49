"""Make tanh, exp and log round differently, as another processor or maths library would.

Put this folder on PYTHONPATH and Python imports this module at start-up (every `sitecustomize`
is). It replaces `math.tanh/exp/log` and `numpy.tanh/exp/log` with versions whose results are
moved by 1 or 2 units in the last place (ulps), up or down. tests/test_processor_variation.py
runs every notebook this way: a claim that only holds with this machine's last bits fails there.

Design notes:
- Deterministic: the direction and size of the nudge depend only on the input's bits (a
  multiplicative hash), so a run is repeatable and the same input always gives the same output,
  as with a real maths library.
- Realistic: results every library gets exactly right are kept (0, 1 and -1, e.g. tanh(0),
  exp(0), log(1), tanh of a large input; infinities and nan). Every other result moves.
- numpy's ufuncs cannot be edited, so np.tanh etc. become thin wrappers: calls (also with `out=`)
  are nudged; `.reduce`, `.outer` and other attributes fall through to the real ufunc unchanged.
- `NNFS_PERTURB_ULPS=0` switches the nudge off (for checking the harness itself);
  `NNFS_PERTURB_SALT=<integer>` picks another deterministic pattern of nudges, to see which
  results of a notebook change with the last bits (e.g. run nbval with a few salts).
"""

from __future__ import annotations

import math
import os
import struct

_STEPS = (-2, -1, 1, 2)
_GOLDEN = 0x9E3779B97F4A7C15  # Knuth's multiplicative hash constant
_MASK = 0xFFFFFFFFFFFFFFFF
_ON = os.environ.get("NNFS_PERTURB_ULPS", "1") != "0"
_SALT = int(os.environ.get("NNFS_PERTURB_SALT", "0")) & 0xFFFFFFFFFFFFFFFF


def _bits(x: float) -> int:
    return struct.unpack("<q", struct.pack("<d", x))[0]


def _nudge_float(y: float, x: float) -> float:
    """y moved by 1 or 2 ulps (away from or towards 0, as the hash of x's bits says)."""
    if not _ON or y in (0.0, 1.0, -1.0) or not math.isfinite(y):
        return y
    steps = _STEPS[((((_bits(x) & _MASK) ^ _SALT) * _GOLDEN) & _MASK) >> 62]
    return struct.unpack("<d", struct.pack("<q", _bits(y) + steps))[0]


def _wrap_math(name: str) -> None:
    original = getattr(math, name)

    def perturbed(x, *args):
        y = original(x, *args)
        return _nudge_float(y, float(x))

    perturbed.__name__ = name
    perturbed.__doc__ = original.__doc__
    perturbed.__wrapped__ = original
    setattr(math, name, perturbed)


def _patch_numpy() -> None:
    try:
        import numpy as np
    except ImportError:
        return

    def nudge_array(y, x):
        """y = f(x) as numpy returned it (array or scalar); returns y nudged (in place if an array)."""
        y_arr = np.asarray(y)
        if y_arr.dtype not in (np.float64, np.float32) or not _ON:
            return y
        sint = np.int64 if y_arr.dtype == np.float64 else np.int32
        x_flat = np.broadcast_to(np.asarray(x, dtype=y_arr.dtype), y_arr.shape).ravel()
        bits = np.ascontiguousarray(x_flat, dtype=np.float64).view(np.uint64)  # hashed as in _nudge_float
        mixed = (bits ^ np.uint64(_SALT)) if _SALT else bits
        mixed = mixed * np.uint64(_GOLDEN)  # wraps around mod 2**64, as intended
        mixed >>= np.uint64(62)  # 0..3
        steps = mixed.astype(sint)
        steps -= 2
        steps += steps >= 0  # 0..3 -> -2, -1, 1, 2 (_STEPS)
        flat = np.ascontiguousarray(y_arr.ravel())
        # adding k to a float's bit pattern moves it k floats further from 0 (k < 0: closer)
        moved = flat.view(sint) + steps
        size = np.abs(flat)
        keep = (size == 0) | (size == 1) | ~np.isfinite(size)
        np.copyto(moved, flat.view(sint), where=keep)
        moved = moved.view(y_arr.dtype).reshape(y_arr.shape)
        if isinstance(y, np.ndarray) and y.ndim:
            y[...] = moved  # in place: also right when the caller passed out=
            return y
        return y_arr.dtype.type(moved[()])

    class PerturbedUfunc:
        """np.tanh etc.: calls give nudged results; everything else is the real ufunc's."""

        def __init__(self, ufunc):
            self._ufunc = ufunc
            self.__name__ = ufunc.__name__
            self.__doc__ = ufunc.__doc__

        def __call__(self, x, *args, **kwargs):
            y = self._ufunc(x, *args, **kwargs)
            if isinstance(y, tuple) or not isinstance(y, (np.ndarray, np.floating, float)):
                return y
            return nudge_array(y, x)

        def __getattr__(self, name):
            return getattr(self._ufunc, name)

        def __repr__(self):
            return f"<perturbed ufunc '{self.__name__}'>"

    for name in ("tanh", "exp", "log"):
        setattr(np, name, PerturbedUfunc(getattr(np, name)))


for _name in ("tanh", "exp", "log"):
    _wrap_math(_name)
_patch_numpy()
