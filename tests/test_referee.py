"""The referee's wire and its calls into a real kernel (autograder/instructor/referee.py).

The wire carries values and nothing the kernel could say about them (memory relations, writes
into the arguments, autograd facts, generator states), and refuses what a forged reply could
smuggle in; a Remote call returns what calling the student's function in the kernel returns, and
fails like it.
"""
import json

import nbformat
import numpy as np
import pytest
import torch
from jupyter_client.manager import start_new_kernel

from autograder.instructor import referee as referee_module
from autograder.instructor.referee import (HIDDEN, Kernel, KernelGone, Namespace, Referee,
                                           StudentTimeout, error_output, gradebook_cells,
                                           rebuild_error)
from autograder.student import cases
from autograder.student.remote import answer as kernel_answer
from autograder.student.memory import shares_memory
from autograder.student.wire import Codec, WireError

STUDENT = '''
import numpy as np
import torch
def crop(img, copy=False):
    out = img[..., 1:3, 2:]
    return out.clone() if copy else out
def cap_(x, limit):
    x[x > limit] = limit
    return x
def sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad = None
def replace_first(params):
    params[0] = torch.zeros(1)
def from_array(a):
    return torch.from_numpy(a)
def roll(n, generator):
    return torch.randint(1, 7, (n,), generator=generator)
def draw():
    return torch.rand(3)
def unanswered(x):
    raise NotImplementedError()
def raises(x):
    return x @ x
def trainable():
    w = torch.zeros(2, requires_grad=True)
    return w * 2
def spin():
    while True:
        pass
def deaf():
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        pass
def max_pair(x):
    return x.max(dim=0)
answers = {"x[0]": (4, 5), "dtype": torch.float64, "more": ...}
'''


@pytest.fixture(scope="module")
def kernel():
    km, client = start_new_kernel(kernel_name="python3")
    client.execute_interactive(STUDENT, store_history=False, timeout=60)

    def interrupt_or_stop():
        client.control_channel.send(client.session.msg("interrupt_request", {}))
        try:
            client.get_shell_msg(timeout=30)  # generous: the machine may be busy
            return True
        except Exception:
            km.shutdown_kernel(now=True)
            return False

    yield Kernel(client, interrupt_or_stop)
    client.stop_channels()
    km.shutdown_kernel(now=True)


@pytest.fixture
def ns(kernel):
    kernel.deadline = None
    return Namespace(kernel)


# ---------------------------------------------------------------- the wire, in one process


def _round_trip(value):
    sender, receiver = Codec(), Codec()
    return receiver.decode(json.loads(json.dumps(sender.encode(value))))


@pytest.mark.parametrize("value", [None, True, 3, -2**70, 0.1, float("inf"), "字", b"\x00\xff",
                                   ..., (1, (2, 3)), [1, [2]], {"a": 1, (1, 2): 3}, {1, 2},
                                   torch.Size([2, 3]), torch.float16, torch.device("cpu"),
                                   complex(1, -2)])
def test_plain_values_survive_the_wire(value):
    assert _round_trip(value) == value


def test_nan_survives_the_wire():
    assert np.isnan(_round_trip(float("nan")))


def test_a_tensor_travels_as_its_values_only():
    base = torch.arange(30.0).reshape(5, 6)
    view = base[1:4, ::2].t()
    got = _round_trip(view)
    assert torch.equal(got, view) and got.dtype == view.dtype and got.is_contiguous()
    assert got.untyped_storage().nbytes() == view.numel() * 4  # its own memory, nothing more
    leaf = torch.ones(3, requires_grad=True)
    leaf.grad = torch.full((3,), 2.0)
    got = _round_trip(leaf * 2)
    assert torch.equal(got, torch.full((3,), 2.0))
    assert not got.requires_grad and got.grad_fn is None and got.grad is None


@pytest.mark.parametrize("value", [torch.tensor(3.5), torch.tensor(7, dtype=torch.int64), torch.tensor(True),
                                   torch.zeros(0, 3), torch.tensor([1.5, -2.0], dtype=torch.float16)])
def test_tensors_of_every_rank_and_dtype_travel(value):
    got = _round_trip(value)
    assert got.dtype == value.dtype and got.shape == value.shape and torch.equal(got, value)


def test_two_views_of_one_tensor_arrive_as_two_tensors():
    base = torch.arange(6.0)
    a, b = _round_trip((base[:3], base[2:]))
    a[2] = 100.0
    assert b[0] == 2.0 and base[2] == 2.0


def test_arrays_and_generators_travel_as_values():
    a = np.arange(4.0).reshape(2, 2).T
    got = _round_trip(a)
    assert np.array_equal(got, a) and not np.shares_memory(got, a)
    generator = cases.generator(5)
    copy = _round_trip(generator)
    assert copy is not generator and torch.equal(copy.get_state(), generator.get_state())


@pytest.mark.parametrize("forged", [
    {"T": {"dtype": "float32", "shape": [1000], "data": "AAAAAA=="}},  # data and shape disagree
    {"T": {"dtype": "float32", "shape": [10**12], "data": ""}},  # a giant claimed for nothing
    {"T": {"dtype": "float32", "shape": [-1], "data": ""}},
    {"T": {"dtype": "os.system", "shape": [1], "data": "AAAAAA=="}},
    {"A": {"dtype": "O", "shape": [1], "data": "AAAAAAAAAAA="}},
    {"G": {"device": "cuda", "state": ""}},
    {"R": {"ref": "x"}},
    {"X": 1},
    [1, 2],
    {"F": "__import__('os')"},
])
def test_a_forged_reply_is_refused(forged):
    codec = Codec(decode_reference=lambda body: (_ for _ in ()).throw(WireError("no refs")))
    with pytest.raises(WireError):
        codec.decode(forged)


def test_the_kernel_side_answers_a_malformed_request_with_an_error():
    reply = json.loads(kernel_answer(json.dumps({"op": "nothing"})))
    assert reply["error"]["type"] == "KeyError"


# ---------------------------------------------------------------- calls into a real kernel


def test_a_result_is_a_value_whatever_memory_it_shares_in_the_kernel(ns):
    img = torch.randn(2, 4, 5)
    view = ns["crop"](img)
    assert torch.equal(view, img[..., 1:3, 2:]) and not shares_memory(view, img)


def test_what_a_call_does_to_its_arguments_stays_in_the_kernel(ns):
    x = torch.tensor([[1.0, 5.0], [7.0, 2.0]]).t()
    result = ns["cap_"](x, 3.0)
    assert torch.equal(result, torch.tensor([[1.0, 3.0], [3.0, 2.0]]))
    assert torch.equal(x, torch.tensor([[1.0, 7.0], [5.0, 2.0]]))  # the test's own, untouched
    params = [torch.ones(2, requires_grad=True)]
    params[0].grad = torch.full((2,), 2.0)
    with pytest.raises(TypeError):  # the kernel got the values only: no .grad to step with
        ns["sgd_step_"](params, 0.5)
    assert torch.equal(params[0].detach(), torch.ones(2)) and torch.equal(params[0].grad, torch.full((2,), 2.0))
    generator = cases.generator(5)
    before = generator.get_state()
    rolls = ns["roll"](10, generator)
    assert torch.equal(rolls, torch.randint(1, 7, (10,), generator=cases.generator(5)))
    assert torch.equal(generator.get_state(), before)
    state = torch.get_rng_state()
    ns["draw"]()
    assert torch.equal(torch.get_rng_state(), state)


def test_answer_variables_and_named_tuples_come_back_as_data(ns):
    assert ns["answers"] == {"x[0]": (4, 5), "dtype": torch.float64, "more": ...}
    values, indices = ns["max_pair"](torch.tensor([[1.0, 5.0], [3.0, 2.0]]))
    assert torch.equal(values, torch.tensor([3.0, 5.0])) and torch.equal(indices, torch.tensor([1, 0]))
    assert torch.equal(ns["from_array"](np.arange(4.0)), torch.arange(4.0, dtype=torch.float64))


def test_what_the_kernel_says_of_a_tensor_beyond_its_values_is_not_heard(ns):
    w = ns["trainable"]()  # in the kernel: requires grad, not a leaf, MulBackward0
    assert torch.equal(w, torch.zeros(2)) and not w.requires_grad and w.grad_fn is None


def test_the_students_errors_come_back_as_theirs(ns):
    with pytest.raises(NotImplementedError):
        ns["unanswered"](1)
    with pytest.raises(RuntimeError, match="mat"):
        ns["raises"](torch.ones(2, 3))
    with pytest.raises(NameError):
        ns["not_defined_anywhere"]


def test_a_rebuilt_key_error_reads_as_the_students():
    assert str(rebuild_error({"type": "KeyError", "message": str(KeyError("x"))})) == str(KeyError("x"))
    assert str(rebuild_error({"type": "KeyError", "message": "not a repr"})) == str(KeyError("not a repr"))


def test_rebuilt_errors_never_run_student_code():
    error = rebuild_error({"type": "__import__('os').system('true')", "message": "x"})
    assert type(error).__name__ == "StudentError"
    assert type(rebuild_error({"type": "StopIteration", "message": ""})).__name__ == "StopIteration"
    assert isinstance(rebuild_error({"type": "StopIteration"}), Exception)


def test_a_call_that_runs_too_long_is_interrupted_and_the_kernel_goes_on(kernel, ns):
    import time
    kernel.deadline = time.monotonic() + 2
    with pytest.raises(StudentTimeout):
        ns["spin"]()
    kernel.deadline = None
    assert ns["answers"]["x[0]"] == (4, 5)
    output = error_output(StudentTimeout("did not finish within 2 s"))
    assert output["ename"] == "CellTimeoutError"


# ---------------------------------------------------------------- judging cells

SETUP = "import torch\nfrom autograder import call, check_tensor\n"
TEST = """
x = torch.tensor([[1.0, 9.0], [4.0, 2.0]])
answer = call(cap_, x.clone(), 3.0, name="cap_(x, 3)")
check_tensor(answer, torch.tensor([[1.0, 3.0], [3.0, 2.0]]), name="cap_(x, 3)")
print("visible passed")
""" + HIDDEN + """
y = cases.randn(3, seed=1)
check_tensor(call(cap_, y.clone(), 0.0, name="cap_(y, 0)"), y.clamp(max=0.0), name="cap_(y, 0)")
### END HIDDEN TESTS
"""


def _referee(kernel, test, salt=7):
    cells = [{"name": "setup", "source": SETUP + "from autograder import cases", "cell_type": "code",
              "locked": True, "test": False},
             {"name": "answer", "source": "", "cell_type": "code", "locked": False, "test": False},
             {"name": "ex_test", "source": test, "cell_type": "code", "locked": True, "test": True}]
    return Referee(kernel, cells, salt)


def test_a_passing_test_cell_prints_its_own_lines_and_nothing_else(kernel):
    outputs = _referee(kernel, TEST).judge("ex_test", timeout=30)
    assert [o["output_type"] for o in outputs] == ["stream"]
    assert outputs[0]["text"] == "visible passed\n"


def test_a_failing_test_cell_is_the_checks_message_without_a_traceback(kernel):
    wrong = TEST.replace("call(cap_, x.clone(), 3.0", "call(crop, x.clone()")
    outputs = _referee(kernel, wrong).judge("ex_test", timeout=30)
    error = outputs[-1]
    assert error["output_type"] == "error" and error["ename"] == "GradingError"
    assert "Traceback" not in "\n".join(error["traceback"]) and HIDDEN not in str(outputs)


def test_hidden_tests_draw_other_inputs_under_another_salt(kernel):
    seen = []
    probe = TEST.replace("y = cases.randn(3, seed=1)",
                         "y = cases.randn(3, seed=1)\nprint(y.tolist())")
    for salt in (7, 7, 8):
        outputs = _referee(kernel, probe, salt=salt).judge("ex_test", timeout=30)
        seen.append(outputs[0]["text"].splitlines()[-1])
    assert seen[0] == seen[1] != seen[2]


def test_the_kernel_never_receives_the_test_source(kernel):
    _referee(kernel, TEST).judge("ex_test", timeout=30)
    client = kernel.client
    client.execute_interactive("import sys; _seen = '\\n'.join(In)", store_history=False, timeout=30)
    seen = kernel.get("_seen")
    assert "check_tensor" not in seen and "cases.randn" not in seen


def test_a_kernel_that_ignores_the_interrupt_is_stopped_and_the_cell_fails():
    km, client = start_new_kernel(kernel_name="python3")
    client.execute_interactive(STUDENT, store_history=False, timeout=60)
    stopped = []

    def interrupt_or_stop():
        client.control_channel.send(client.session.msg("interrupt_request", {}))
        try:
            client.get_shell_msg(timeout=2)
            return True
        except Exception:
            km.shutdown_kernel(now=True)
            stopped.append(True)
            return False

    kernel = Kernel(client, interrupt_or_stop)
    try:
        referee = _referee(kernel, "call(deaf)\n")
        outputs = referee.judge("ex_test", timeout=2)
        assert stopped and kernel.gone and outputs[-1]["ename"] == "KernelStopped"
        with pytest.raises(KernelGone):
            kernel.get("answers")
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=True)


def test_the_tests_build_their_tensors_on_the_cpu_whatever_the_machine_has(kernel, monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "meta")  # a device the kernel could never take
    probe = SETUP + "from autograder import cases\nprint(cases.tensor([1.0]).device.type)\n"
    cells = [{"name": "t", "source": probe, "cell_type": "code", "locked": True, "test": True}]
    outputs = Referee(kernel, cells, salt=1).judge("t", timeout=30)
    assert outputs[0]["text"] == "cpu\n"
    import os
    assert os.environ["COURSE_DEVICE"] == "meta"


def test_the_gradebook_is_read_once_per_assignment_while_its_tests_stay_the_same(monkeypatch):
    """The gradebook's cells are kept per assignment notebook, and read afresh as soon as the
    notebook being graded (where nbgrader has just put the gradebook's locked cells back) holds
    other locked cells: a test the instructor changed is never judged by its old version."""
    cells = [{"name": "setup", "source": SETUP, "cell_type": "code", "locked": True, "test": False},
             {"name": "answer", "source": "", "cell_type": "code", "locked": False, "test": False},
             {"name": "ex_test", "source": TEST, "cell_type": "code", "locked": True, "test": True}]
    reads = []
    monkeypatch.setattr(referee_module, "_read_gradebook_cells",
                        lambda *args: reads.append(args) or [dict(c) for c in cells])
    monkeypatch.setattr(referee_module, "_KEPT", {})

    def graded(test_source, answer="def cap_(x, limit): ..."):
        return nbformat.v4.new_notebook(cells=[
            nbformat.v4.new_code_cell(c["source"], metadata={"nbgrader": {"grade_id": c["name"]}})
            for c in [cells[0], {**cells[1], "source": answer}, {**cells[2], "source": test_source}]])

    args = ("sqlite:///gradebook.db", "ps1", "ps1")
    assert gradebook_cells(*args, graded=graded(TEST)) == cells and len(reads) == 1
    assert gradebook_cells(*args, graded=graded(TEST, answer="other")) == cells and len(reads) == 1
    gradebook_cells(*args, graded=graded(TEST + "\nprint('changed')"))
    assert len(reads) == 2
    gradebook_cells("sqlite:///other.db", "ps1", "ps1", graded=graded(TEST))
    assert len(reads) == 3



def test_a_function_is_fetched_once_per_test_cell_and_a_value_on_every_read(kernel, monkeypatch):
    requests = []
    send = kernel.request
    monkeypatch.setattr(kernel, "request", lambda op, codec, **fields: requests.append(
        (op, fields.get("name"))) or send(op, codec, **fields))
    referee = _referee(kernel, "for _ in range(3):\n    call(crop, torch.ones(2, 4, 5))\n    answers\n")
    referee.judge("ex_test", timeout=30)
    assert requests.count(("get", "crop")) == 1 and requests.count(("get", "answers")) == 3
    referee.judge("ex_test", timeout=30)  # another test cell: the kernel forgot the first's
    assert requests.count(("get", "crop")) == 2


WRITTEN_TEST = """
from autograder import check_derivative, written
check_derivative(written("df", "by hand"), "df", f=lambda x: x ** 3)
print("judged from the source")
"""


def test_written_judges_the_submitted_source_whatever_the_kernel_holds(kernel):
    # the kernel's df is a right derivative computed with autograd, and the kernel's copy of the
    # interpreter is broken: neither matters, the cells of the file are judged here
    kernel.client.execute_interactive(
        "import torch\n"
        "def df(x):\n    t = x.detach().requires_grad_()\n    (t ** 3).sum().backward()\n    return t.grad\n"
        "import autograder.student.interpreter as i\ni.Interpreter = None",
        store_history=False, timeout=30)
    by_hand = ["import torch", "def df(x):\n    return 3 * x ** 2"]
    outputs = _referee(kernel, WRITTEN_TEST).judge("ex_test", timeout=30, cells_above=by_hand)
    assert outputs[-1]["text"] == "judged from the source\n"
    with_autograd = ["import torch", "def df(x):\n    return 3 * x ** 2",
                     "df = lambda x: torch.autograd.functional.jacobian(lambda t: t ** 3, x).sum(0)"]
    outputs = _referee(kernel, WRITTEN_TEST).judge("ex_test", timeout=30, cells_above=with_autograd)
    assert outputs[-1]["ename"] == "GradingError" and "autograd" in outputs[-1]["evalue"]
