"""Values as plain data, for the referee's wire between the grader and a student's kernel.

At grading time the test cells run in the grader's process (the referee, autograder/instructor/
referee.py) and the student's code in the kernel; what crosses between them is JSON built here,
never pickle. What travels:

* None, bools, numbers (NaN and infinities too), strings, bytes, ``...``, tuples, lists, dicts,
  sets; NumPy scalars as Python numbers;
* ``torch.Size``, ``torch.dtype``, ``torch.device``, ``torch.Generator`` (its state);
* tensors and NumPy arrays, with their memory: each message carries the raw bytes of every
  buffer (a tensor's whole storage, an array's whole base) once, and each tensor or array says
  where in which buffer it lies (dtype, shape, stride, first element). So views stay views of
  each other, a result that shares memory with an argument is rebuilt over the receiver's own
  argument, and after a call the sender can copy back what the code wrote into its arguments.
  A tensor also carries requires_grad, whether it is a leaf, its grad_fn's name and its .grad;
* anything else is a reference (``{"R": n}``) that each side resolves its own way.

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


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text) -> bytes:
    if not isinstance(text, str):
        raise WireError("bytes expected")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeError) as error:
        raise WireError("bad base64") from error


def _root_array(array: np.ndarray) -> np.ndarray:
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _as_bytes_view(array: np.ndarray) -> np.ndarray:
    """A 1-d uint8 view of a contiguous array's memory (in memory order)."""
    flat = array if array.flags.c_contiguous else array.T
    return flat.reshape(-1).view(np.uint8)


def _address(value) -> int:
    if isinstance(value, torch.Tensor):
        return value.data_ptr()
    return value.__array_interface__["data"][0]


class Buffer:
    """A block of memory both sides know: its bytes as a 1-d uint8 tensor (``raw``) and, for a
    NumPy buffer, the uint8 array (``array``) the tensor was made from."""

    def __init__(self, raw: torch.Tensor, array: np.ndarray | None = None):
        self.raw, self.array = raw, array

    @property
    def start(self) -> int:
        return self.raw.data_ptr()

    def contains(self, address: int, device: str) -> bool:
        return (self.raw.device.type == device
                and self.start <= address <= self.start + self.raw.numel())

    def data(self) -> bytes:
        return self.raw.detach().cpu().numpy().tobytes()

    def write(self, data: bytes) -> None:
        if len(data) != self.raw.numel():
            raise WireError("buffer size changed")
        self.raw.copy_(torch.frombuffer(bytearray(data), dtype=torch.uint8))


class Codec:
    """Encodes and decodes the values of one exchange; remembers the buffers, tensors, lists and
    generators it met, so a reply can refer to them and the caller can sync them after a call."""

    def __init__(self, encode_object=None, decode_reference=None, first_id=1):
        self.first_id = first_id  # the two sides number what they send apart, so ids never clash
        self.encode_object = encode_object or self._refuse
        self.decode_reference = decode_reference or self._refuse
        self.buffers: dict[int, Buffer] = {}
        self.sent: dict[int, str] = {}  # buffers this side put in the message: their bytes then
        self.tensors: dict[int, torch.Tensor] = {}
        self.lists: dict[int, list] = {}
        self.generators: dict[int, torch.Generator] = {}

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
            key = self._remember(self.generators, value)
            return {"G": {"id": key, "device": str(value.device),
                          "state": _b64(value.get_state().numpy().tobytes())}}
        if isinstance(value, torch.Tensor):
            return {"T": self._encode_tensor(value, depth)}
        if isinstance(value, np.ndarray):
            return {"A": self._encode_array(value)}
        if isinstance(value, (tuple, list)):  # a named tuple (torch.return_types...) as a tuple
            items = [self.encode(item, depth + 1) for item in value]
            if isinstance(value, tuple):
                return {"U": items}
            return {"L": {"id": self._remember(self.lists, value), "items": items}}
        if isinstance(value, (set, frozenset)):
            return {"Z": [self.encode(item, depth + 1) for item in value]}
        if isinstance(value, dict):
            return {"M": [[self.encode(k, depth + 1), self.encode(v, depth + 1)]
                          for k, v in value.items()]}
        return {"R": self.encode_object(value)}

    def _new_id(self, table) -> int:
        return max([self.first_id - 1, *(k for k in table if k >= self.first_id)]) + 1

    def _remember(self, table, value) -> int:
        for key, known in table.items():
            if known is value:
                return key
        key = self._new_id(table)
        table[key] = value
        return key

    def _buffer_of(self, address: int, device: str, make) -> int:
        for key, buffer in self.buffers.items():
            if buffer.contains(address, device):
                return key
        key = self._new_id(self.buffers)
        self.buffers[key] = make()
        self.sent[key] = self.buffers[key].data()
        return key

    def _encode_tensor(self, t: torch.Tensor, depth) -> dict:
        if t.device.type == "meta" or t.layout != torch.strided or t.is_quantized:
            raise WireError(f"cannot send a {t.layout} tensor on {t.device.type}")
        storage = t.untyped_storage()
        key = self._buffer_of(storage.data_ptr(), t.device.type, lambda: Buffer(
            torch.empty(0, dtype=torch.uint8, device=t.device).set_(storage)))
        tid = self._remember(self.tensors, t)
        grad = t.grad if t.is_leaf else None
        return {"id": tid, "buf": key, "pos": t.data_ptr() - self.buffers[key].start,
                "dtype": str(t.dtype).removeprefix("torch."), "shape": list(t.shape),
                "stride": list(t.stride()), "device": str(t.device),
                "requires_grad": t.requires_grad, "leaf": t.is_leaf,
                "grad_fn": t.grad_fn.name() if t.grad_fn is not None else None,
                "grad": None if grad is None else self.encode(grad.detach(), depth + 1)}

    def _encode_array(self, a: np.ndarray) -> dict:
        if a.dtype.hasobject or a.dtype.fields is not None:
            raise WireError(f"cannot send an array of {a.dtype}")
        root = _root_array(a)
        if not (root.flags.c_contiguous or root.flags.f_contiguous) or root.dtype.hasobject:
            root = a = a.copy()
        key = self._buffer_of(_address(a), "cpu", lambda: Buffer(
            torch.from_numpy(_as_bytes_view(root)), _as_bytes_view(root)))
        return {"buf": key, "pos": _address(a) - self.buffers[key].start, "dtype": a.dtype.str,
                "shape": list(a.shape), "strides": list(a.strides)}

    def message(self, **fields) -> dict:
        """The fields, plus the bytes of every buffer met while encoding them."""
        return {**fields, "buffers": {str(k): _b64(self.sent[k]) for k in self.sent}}

    # ---------------------------------------------------------------- decoding

    def read_buffers(self, message: dict) -> None:
        """Make (or find) the buffers a message refers to."""
        buffers = message.get("buffers", {})
        if not isinstance(buffers, dict):
            raise WireError("buffers must be a dict")
        for key, text in buffers.items():
            key = _int(key)
            if key in self.buffers:
                continue
            data = bytearray(_unb64(text))
            array = np.frombuffer(data, dtype=np.uint8)
            self.buffers[key] = Buffer(torch.from_numpy(array), array)

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
            return self._decode_generator(body)
        if tag == "T":
            return self._decode_tensor(body, depth)
        if tag == "A":
            return self._decode_array(body)
        if tag == "U":
            return tuple(self.decode(item, depth + 1) for item in _list(body))
        if tag == "L":
            items = [self.decode(item, depth + 1) for item in _list(_field(body, "items"))]
            return self._known_list(_int(_field(body, "id")), items)
        if tag == "Z":
            return {self.decode(item, depth + 1) for item in _list(body)}
        if tag == "M":
            return {self.decode(k, depth + 1): self.decode(v, depth + 1)
                    for k, v in (_list(pair, 2) for pair in _list(body))}
        if tag == "R":
            return self.decode_reference(body)
        raise WireError(f"unknown tag {tag!r}")

    def _known_list(self, key, items):
        known = self.lists.get(key)
        if known is None:
            self.lists[key] = known = []
        known[:] = items
        return known

    def _decode_generator(self, body):
        device = _str(_field(body, "device"))
        state = torch.frombuffer(bytearray(_unb64(_field(body, "state"))), dtype=torch.uint8)
        key = _int(_field(body, "id"))
        generator = self.generators.get(key)
        if generator is None:
            generator = self.generators[key] = torch.Generator(device=device)
        try:
            generator.set_state(state.clone())
        except RuntimeError as error:
            raise WireError("bad generator state") from error
        return generator

    def _raw_on(self, key: int, device: torch.device) -> Buffer:
        buffer = self.buffers.get(key)
        if buffer is None:
            raise WireError("unknown buffer")
        if buffer.raw.device != device:  # moved once per device; the copy is the buffer now
            buffer = self.buffers[key] = Buffer(buffer.raw.to(device))
        return buffer

    def _decode_tensor(self, body, depth) -> torch.Tensor:
        key = _int(_field(body, "id"))
        if key in self.tensors and self.tensors[key] is not None:
            return self.tensors[key]
        dtype = _dtype(_field(body, "dtype"))
        shape = [_int(n) for n in _list(_field(body, "shape"))]
        stride = [_int(n) for n in _list(_field(body, "stride"), len(shape))]
        device = torch.device(_str(_field(body, "device")))
        if device.type not in ("cpu", "cuda", "mps"):
            raise WireError("unknown device")
        buffer = self._raw_on(_int(_field(body, "buf")), device)
        tensor = _strided(buffer.raw, dtype, shape, stride, _int(_field(body, "pos")))
        if _field(body, "requires_grad") is True and (dtype.is_floating_point or dtype.is_complex):
            if _field(body, "leaf") is True:
                tensor.requires_grad_(True)
            else:  # a tensor computed from leaves: rebuilt as one (see grad_fn_name)
                tensor = tensor.detach().requires_grad_(True).view_as(tensor)
                tensor.wire_grad_fn = _str(_field(body, "grad_fn") or "")
        grad = body.get("grad")
        if grad is not None and tensor.is_leaf and tensor.requires_grad:
            decoded = self.decode(grad, depth + 1)
            if isinstance(decoded, torch.Tensor) and decoded.shape == tensor.shape:
                tensor.grad = decoded.to(tensor.dtype)
        self.tensors[key] = tensor
        return tensor

    def _decode_array(self, body) -> np.ndarray:
        buffer = self.buffers.get(_int(_field(body, "buf")))
        if buffer is None or buffer.array is None:
            buffer = self._raw_on(_int(_field(body, "buf")), torch.device("cpu"))
            array = buffer.raw.numpy()
        else:
            array = buffer.array
        try:
            dtype = np.dtype(_str(_field(body, "dtype")))
            if dtype.hasobject or dtype.fields is not None:
                raise WireError("object arrays are not sent")
            return np.ndarray([_int(n) for n in _list(_field(body, "shape"))], dtype=dtype,
                              buffer=array, offset=_int(_field(body, "pos")),
                              strides=[_int(n) for n in _list(_field(body, "strides"))])
        except (TypeError, ValueError) as error:
            raise WireError(f"bad array: {error}") from error


def grad_fn_name(tensor: torch.Tensor) -> str:
    """The name of a tensor's grad_fn, as it was where the tensor was computed."""
    return getattr(tensor, "wire_grad_fn", None) or tensor.grad_fn.name()


def _strided(raw: torch.Tensor, dtype, shape, stride, pos) -> torch.Tensor:
    size = torch.empty(0, dtype=dtype).element_size()
    if pos % size or raw.numel() % size or min(stride, default=0) < 0:
        raise WireError("misaligned tensor")
    extent = pos // size + sum((n - 1) * s for n, s in zip(shape, stride)) + 1
    if 0 not in shape and extent * size > raw.numel():
        raise WireError("tensor outside its buffer")
    if math.prod(shape) > MAX_ELEMENTS:  # a stride-0 view can claim any size at no cost
        raise WireError("tensor too large")
    return raw.view(dtype).as_strided(shape, stride, pos // size)


def _field(body, name):
    if not isinstance(body, dict) or name not in body:
        raise WireError(f"missing field {name!r}")
    return body[name]


def _list(value, length=None) -> list:
    if not isinstance(value, list) or (length is not None and len(value) != length):
        raise WireError("list expected")
    return value


def _int(value) -> int:
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise WireError("integer expected")
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
