"""``out=`` rules of ops whose ``out`` must have the result's dtype, each refusing another
dtype with PyTorch's own message for that op."""

from __future__ import annotations


def same_dtype_rule(message, word=None):
    """The rule refusing an ``out`` of another dtype: ``message`` formatted with ``word`` of
    ``out`` and of the result as ``{out}`` and ``{result}``."""

    def rule(name, out, result):
        if out._data.dtype != result._data.dtype:
            text = message if word is None else message.format(out=word(out), result=word(result))
            raise RuntimeError(text)

    return rule
