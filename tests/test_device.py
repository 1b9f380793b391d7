import pytest
import torch

from helpers.device import choose_device


@pytest.fixture
def machine(monkeypatch):
    """Fake which accelerators exist: call machine(mps=..., cuda=...)."""
    monkeypatch.delenv("COURSE_DEVICE", raising=False)

    def fake(*, mps: bool, cuda: bool):
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
        monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)

    return fake


@pytest.mark.parametrize(
    ("mps", "cuda", "expected"),
    [(True, True, "mps"), (True, False, "mps"), (False, True, "cuda"), (False, False, "cpu")],
)
def test_prefers_mps_then_cuda_then_cpu(machine, mps, cuda, expected):
    machine(mps=mps, cuda=cuda)
    assert choose_device() == torch.device(expected)


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_variable_means_automatic(machine, monkeypatch, value):
    machine(mps=False, cuda=True)
    monkeypatch.setenv("COURSE_DEVICE", value)
    assert choose_device() == torch.device("cuda")


@pytest.mark.parametrize(("value", "expected"), [("cpu", "cpu"), ("CUDA", "cuda"), (" Mps ", "mps")])
def test_variable_overrides_choice_case_insensitively(machine, monkeypatch, value, expected):
    machine(mps=True, cuda=True)
    monkeypatch.setenv("COURSE_DEVICE", value)
    assert choose_device() == torch.device(expected)


def test_cpu_is_always_available(machine, monkeypatch):
    machine(mps=False, cuda=False)
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    assert choose_device() == torch.device("cpu")


@pytest.mark.parametrize("value", ["gpu", "cuda:0", "tpu"])
def test_unknown_value_lists_valid_values(machine, monkeypatch, value):
    machine(mps=False, cuda=False)
    monkeypatch.setenv("COURSE_DEVICE", value)
    with pytest.raises(ValueError) as error:
        choose_device()
    message = str(error.value)
    assert "cpu, cuda, mps" in message
    assert "可选的值" in message and "Valid values" in message


@pytest.mark.parametrize("missing", ["cuda", "mps"])
def test_unavailable_device_names_what_is_available(machine, monkeypatch, missing):
    machine(mps=False, cuda=missing == "mps")
    monkeypatch.setenv("COURSE_DEVICE", missing)
    with pytest.raises(RuntimeError) as error:
        choose_device()
    message = str(error.value)
    available = "cuda, cpu" if missing == "mps" else "cpu"
    assert f"可用的设备：{available}" in message
    assert f"Available devices: {available}." in message
    assert "unset COURSE_DEVICE" in message and "COURSE_DEVICE=cpu" in message


def test_widest_float_is_float64_except_on_mps():
    from helpers.device import widest_float

    assert widest_float(torch.device("cpu")) == torch.float64
    assert widest_float("cuda") == torch.float64
    assert widest_float("mps") == torch.float32
