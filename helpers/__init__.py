"""What the lessons import: choose_device, draw_graph, use_chinese_font, bilingual.

Each is loaded on first use, so `from helpers.text import bilingual` does not pull in
torch, Graphviz or matplotlib.
"""

from importlib import import_module

from helpers.text import bilingual

_HOMES = {
    "choose_device": "helpers.device",
    "draw_graph": "helpers.graph",
    "AutogradGraph": "helpers.graph",
    "use_chinese_font": "helpers.fonts",
}

__all__ = ["choose_device", "draw_graph", "AutogradGraph", "use_chinese_font", "bilingual"]


def __getattr__(name):
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
