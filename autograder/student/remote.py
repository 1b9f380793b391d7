"""The student's side of the referee: runs in the student's kernel, at grading time only.

The referee (autograder/instructor/referee.py) sends a request as JSON and reads the reply from a
display message of type :data:`MIME`. Nothing here is trusted: whatever this code (or a student
who patched it) replies is read as the student's answer, checked field by field.

Requests (``op``):

* ``get``: the value of a name in the notebook (a function or other object comes back as a
  reference, a tensor or number as data);
* ``call``: call a referenced object, a trusted helper named ``module:function`` or the source
  of a test's helper function, with arguments (copies, as values); the reply holds the result,
  as values (autograder/student/wire.py: never what the call did to its arguments);
* ``getattr``: an attribute of a referenced object;
* ``forget``: drop the references of a finished test cell.
"""
from __future__ import annotations

import importlib
import json
import warnings

import torch

from autograder.student.calls import described
from autograder.student.cases import TestFunction
from autograder.student.wire import Codec

MIME = "application/vnd.pytorch-course.referee+json"
_objects: dict[int, object] = {}


def serve(request_text: str) -> None:
    from IPython.display import publish_display_data
    publish_display_data({MIME: answer(request_text)})


def answer(request_text: str) -> str:
    request = json.loads(request_text)
    codec = Codec(encode_object=_keep)
    codec.decode_reference = lambda body: _resolve(body, codec)
    try:
        reply = _OPS[request["op"]](request, codec)
    except Exception as error:  # noqa: BLE001 - reported to the referee as the student's error
        reply = {"error": described(error)}
    return json.dumps(reply)


def _keep(value) -> dict:
    key = len(_objects) + 1
    _objects[key] = value
    return {"ref": key, "type": type(value).__name__, "name": str(getattr(value, "__name__", ""))[:200],
            "callable": callable(value), "class": isinstance(value, type),
            "function_class": isinstance(value, type) and issubclass(value, torch.autograd.Function)}


def _resolve(body, codec):
    if "ref" in body:
        return _objects[body["ref"]]
    if "helper" in body:
        return trusted(body["helper"])
    if "source" in body:
        names = {name: codec.decode(value) for name, value in body["names"].items()}
        return TestFunction(body["source"], **names)
    raise ValueError("unknown reference")


def trusted(name: str):
    """A function of the course's packages (or torch, math), by ``module:attribute``."""
    module, _, attribute = name.partition(":")
    if module.split(".")[0] not in ("autograder", "torch", "math", "numpy"):
        raise ValueError(f"not a trusted module: {module}")
    value = importlib.import_module(module)
    for part in attribute.split("."):
        value = getattr(value, part)
    return value


def _get(request, codec):
    from IPython import get_ipython
    namespace = get_ipython().user_ns
    name = request["name"]
    if name not in namespace:
        raise NameError(f"name '{name}' is not defined", name=name)
    return {"value": codec.encode(namespace[name])}


def _call(request, codec):
    target = codec.decode(request["target"])
    args = codec.decode(request["args"])
    kwargs = codec.decode(request["kwargs"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return {"value": codec.encode(target(*args, **kwargs))}
    except Exception as error:  # noqa: BLE001 - the student's error is the answer
        return {"error": described(error)}


def _getattr(request, codec):
    return {"value": codec.encode(getattr(_objects[request["ref"]], request["name"]))}


def _forget(request, codec):
    _objects.clear()
    return {"value": None}


_OPS = {"get": _get, "call": _call, "getattr": _getattr, "forget": _forget}

