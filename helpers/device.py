"""Pick the device every notebook runs on: MPS, then CUDA, then CPU, unless COURSE_DEVICE says otherwise."""

import os

import torch

from helpers.text import bilingual

VALID_DEVICES = ("cpu", "cuda", "mps")


def available_devices() -> list[str]:
    """Device types usable on this machine, most preferred first; "cpu" is always last."""
    found = []
    if torch.backends.mps.is_available():
        found.append("mps")
    if torch.cuda.is_available():
        found.append("cuda")
    found.append("cpu")
    return found


def choose_device() -> torch.device:
    """Return the device for this course: MPS if available, then CUDA, then CPU.

    The environment variable COURSE_DEVICE=cpu|cuda|mps (any case) overrides the choice.
    """
    requested = os.environ.get("COURSE_DEVICE", "").strip().lower()
    available = available_devices()
    if not requested:
        return torch.device(available[0])
    if requested not in VALID_DEVICES:
        valid = ", ".join(VALID_DEVICES)
        raise ValueError(bilingual(
            f"环境变量 COURSE_DEVICE={requested!r} 无效。可选的值：{valid}。"
            "请改成其中之一，或删除这个变量让课程自动选择设备。",
            f"COURSE_DEVICE={requested!r} is not valid. Valid values: {valid}. "
            "Set it to one of them, or unset it to let the course choose the device.",
        ))
    if requested not in available:
        usable = ", ".join(available)
        raise RuntimeError(bilingual(
            f"COURSE_DEVICE={requested} 要求使用设备 {requested}，但这台机器上没有可用的 {requested}。"
            f"可用的设备：{usable}。请删除这个变量（unset COURSE_DEVICE）让课程自动选择，"
            "或设为 COURSE_DEVICE=cpu，然后重启内核。",
            f"COURSE_DEVICE={requested} asks for the {requested} device, but it is not available "
            f"on this machine. Available devices: {usable}. Unset the variable (unset COURSE_DEVICE) "
            "to let the course choose, or set COURSE_DEVICE=cpu, then restart the kernel.",
        ))
    return torch.device(requested)


def widest_float(device: torch.device) -> torch.dtype:
    """float64 where the device supports it; Apple's MPS has no float64, so float32 there."""
    return torch.float32 if torch.device(device).type == "mps" else torch.float64
