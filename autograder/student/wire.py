"""Values as plain data, for the referee's wire between the grader and a student's kernel.

At grading time the test cells run in the grader's process (the referee, autograder/instructor/
referee.py) and the student's code in the kernel; what crosses between them is JSON built here,
never pickle. Only values travel:

* None, bools, numbers (NaN and infinities too), strings, bytes, ``...``, tuples, lists, dicts,
  sets; NumPy scalars as Python numbers;
* ``torch.Size``, ``torch.dtype``, ``torch.device``, ``torch.Generator`` (its state);
* tensors and NumPy arrays: their dtype, shape and elements, nothing else. Which memory a tensor
  shares, whether it requires grad, is a leaf or has a grad_fn, what its .grad holds, what a call
  wrote into its arguments: those are facts about objects in the student's kernel, which a kernel
  could state as it likes, so they do not travel. A test that needs them judges the student's
  source in the grader's process instead (autograder/student/written.py). Every tensor arrives as
  a new one, on the CPU;
* anything else is a reference (``{"R": ...}``) that each side resolves its own way.

Decoding checks every field it reads: a message the student's kernel forged is a wrong answer
(:class:`WireError`), never code run in the grader.
"""
from __future__ import annotations

import base64
import math

import numpy as np
import torch

MAX_DEPTH = 64
MAX_ELEMENTS = 1 << 27


class WireError(ValueError):
    """A message that is not what this module writes."""


class Codec:
    """Encodes and decodes values; ``encode_object`` and ``decode_reference`` say how each side
    refers to what is not a value."""

    def __init__(self, encode_object=None, decode_reference=None):
        self.encode_object = encode_object or self._refuse
        self.decode_reference = decode_reference or self._refuse

    @staticmethod
    def _refuse(value):
        raise WireError(f"cannot send a {type(value).__name__}")

    # ---------------------------------------------------------------- encoding

    def encode(self, value, depth=0):
        if depth > MAX_DEPTH:
            raise WireError("too deeply nested")
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
            return int(value)
        if isinstance(value, np.bool_):
            return bool(value)
        if isinstance(value, (float, np.floating)):
            value = float(value)
            return value if math.isfinite(value) else {"F": repr(value)}
        if isinstance(value, (complex, np.complexfloating)):
            return {"C": [self.encode(value.real), self.encode(value.imag)]}
        if value is Ellipsis:
            return {"E": 1}
        if isinstance(value, bytes):
            return {"B": _b64(value)}
        if isinstance(value, torch.Size):
            return {"S": [int(n) for n in value]}
        if isinstance(value, torch.dtype):
            return {"D": str(value).removeprefix("torch.")}
        if isinstance(value, torch.device):
            return {"V": str(value)}
        if isinstance(value, torch.Generator):
            return {"G": {"device": str(value.device), "state": _b64(value.get_state().numpy().tobytes())}}
        if isinstance(value, torch.Tensor):
            return {"T": _encode_tensor(value)}
        if isinstance(value, np.ndarray):
            return {"A": _encode_array(value)}
        if isinstance(value, (tuple, list)):  # a named tuple (torch.return_types...) as a tuple
            items = [self.encode(item, depth + 1) for item in value]
            return {"U": items} if isinstance(value, tuple) else {"L": items}
        if isinstance(value, (set, frozenset)):
            return {"Z": [self.encode(item, depth + 1) for item in value]}
        if isinstance(value, dict):
            return {"M": [[self.encode(k, depth + 1), self.encode(v, depth + 1)]
                          for k, v in value.items()]}
        return {"R": self.encode_object(value)}

    # ---------------------------------------------------------------- decoding

    def decode(self, value, depth=0):
        if depth > MAX_DEPTH:
            raise WireError("too deeply nested")
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, list):
            raise WireError("bare list")
        if not isinstance(value, dict) or len(value) != 1:
            raise WireError("not a value")
        (tag, body), = value.items()
        if tag == "F":
            if body not in ("nan", "inf", "-inf"):
                raise WireError("bad float")
            return float(body)
        if tag == "C":
            real, imag = (self.decode(part, depth + 1) for part in _list(body, 2))
            return complex(_number(real), _number(imag))
        if tag == "E":
            return Ellipsis
        if tag == "B":
            return _unb64(body)
        if tag == "S":
            return torch.Size([_int(n) for n in _list(body)])
        if tag == "D":
            return _dtype(body)
        if tag == "V":
            return torch.device(_str(body))
        if tag == "G":
            return _decode_generator(body)
        if tag == "T":
            return _decode_tensor(body)
        if tag == "A":
            return _decode_array(body)
        if tag in ("U", "L"):
            items = [self.decode(item, depth + 1) for item in _list(body)]
            return tuple(items) if tag == "U" else items
        if tag == "Z":
            return {self.decode(item, depth + 1) for item in _list(body)}
        if tag == "M":
            return {self.decode(k, depth + 1): self.decode(v, depth + 1)
                    for k, v in (_list(pair, 2) for pair in _list(body))}
        if tag == "R":
            return self.decode_reference(body)
        raise WireError(f"unknown tag {tag!r}")


def _encode_tensor(t: torch.Tensor) -> dict:
    if t.device.type == "meta" or t.layout != torch.strided or t.is_quantized or t.is_nested:
        raise WireError(f"cannot send a {t.layout} tensor on {t.device.type}")
    if t.numel() > MAX_ELEMENTS:
        raise WireError("tensor too large")
    values = t.detach().cpu().contiguous()
    data = values.reshape(-1).view(torch.uint8).numpy().tobytes() if values.numel() else b""
    return {"dtype": str(t.dtype).removeprefix("torch."), "shape": list(t.shape), "data": _b64(data)}


def _decode_tensor(body) -> torch.Tensor:
    dtype = _dtype(_field(body, "dtype"))
    shape = [_int(n) for n in _list(_field(body, "shape"))]
    if math.prod(shape) > MAX_ELEMENTS:
        raise WireError("tensor too large")
    data = _unb64(_field(body, "data"))
    size = torch.empty(0, dtype=dtype).element_size()
    if len(data) != math.prod(shape) * size:
        raise WireError("tensor data does not fit its shape")
    if not data:
        return torch.empty(shape, dtype=dtype)
    return torch.frombuffer(bytearray(data), dtype=torch.uint8).view(dtype).reshape(shape).clone()


def _encode_array(a: np.ndarray) -> dict:
    if a.dtype.hasobject or a.dtype.fields is not None:
        raise WireError(f"cannot send an array of {a.dtype}")
    if a.size > MAX_ELEMENTS:
        raise WireError("array too large")
    return {"dtype": a.dtype.str, "shape": list(a.shape), "data": _b64(np.ascontiguousarray(a).tobytes())}


def _decode_array(body) -> np.ndarray:
    try:
        dtype = np.dtype(_str(_field(body, "dtype")))
    except TypeError as error:
        raise WireError(f"bad array: {error}") from error
    if dtype.hasobject or dtype.fields is not None:
        raise WireError("object arrays are not sent")
    shape = [_int(n) for n in _list(_field(body, "shape"))]
    data = _unb64(_field(body, "data"))
    if math.prod(shape) > MAX_ELEMENTS or len(data) != math.prod(shape) * dtype.itemsize:
        raise WireError("array data does not fit its shape")
    return np.frombuffer(bytearray(data), dtype=dtype).reshape(shape).copy()


def _decode_generator(body) -> torch.Generator:
    device = _str(_field(body, "device"))
    if device != "cpu":
        raise WireError("only CPU generators travel")
    generator = torch.Generator()
    try:
        generator.set_state(torch.frombuffer(bytearray(_unb64(_field(body, "state"))), dtype=torch.uint8).clone())
    except (RuntimeError, ValueError) as error:
        raise WireError("bad generator state") from error
    return generator


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text) -> bytes:
    if not isinstance(text, str):
        raise WireError("bytes expected")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeError) as error:
        raise WireError("bad base64") from error


def _field(body, name):
    if not isinstance(body, dict) or name not in body:
        raise WireError(f"missing field {name!r}")
    return body[name]


def _list(value, length=None) -> list:
    if not isinstance(value, list) or (length is not None and len(value) != length):
        raise WireError("list expected")
    return value


def _int(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise WireError("a size expected")
    return value


def _number(value):
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise WireError("number expected")
    return value


def _str(value) -> str:
    if not isinstance(value, str):
        raise WireError("string expected")
    return value


def _dtype(name) -> torch.dtype:
    dtype = getattr(torch, _str(name), None)
    if not isinstance(dtype, torch.dtype):
        raise WireError(f"unknown dtype {name!r}")
    return dtype
