"""What the lessons import: choose_device, draw_graph, draw_backward, use_chinese_font, bilingual.

The tensor pictures (draw_tensor, draw_selection, draw_broadcast, draw_storage, ...) come
from helpers.pictures.

Each is loaded on first use, so `from helpers.text import bilingual` does not pull in
torch, Graphviz or matplotlib.
"""

from importlib import import_module

from helpers.text import bilingual

_HOMES = {
    "choose_device": "helpers.device",
    "draw_graph": "helpers.graph",
    "draw_backward": "helpers.graph",
    "AutogradGraph": "helpers.graph",
    "use_chinese_font": "helpers.fonts",
    "draw_tensor": "helpers.pictures",
    "draw_selection": "helpers.pictures",
    "draw_gather": "helpers.pictures",
    "draw_scatter": "helpers.pictures",
    "draw_reshape": "helpers.pictures",
    "draw_transpose": "helpers.pictures",
    "draw_expand_repeat": "helpers.pictures",
    "draw_cat_stack": "helpers.pictures",
    "draw_broadcast": "helpers.pictures",
    "draw_reduction": "helpers.pictures",
    "draw_storage": "helpers.pictures",
    "draw_arange_linspace": "helpers.pictures",
    "draw_copy_or_share": "helpers.pictures",
    "draw_image_stack": "helpers.pictures",
}

__all__ = ["choose_device", "draw_graph", "draw_backward", "AutogradGraph", "use_chinese_font", "bilingual",
           "draw_tensor", "draw_selection", "draw_gather", "draw_scatter", "draw_reshape",
           "draw_transpose", "draw_expand_repeat", "draw_cat_stack", "draw_broadcast",
           "draw_reduction", "draw_storage", "draw_arange_linspace", "draw_copy_or_share",
           "draw_image_stack"]


def __getattr__(name):
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
