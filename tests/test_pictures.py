"""What each picture of helpers.pictures contains: texts, highlighted cells, faded cells, errors."""

import io
import re
import warnings

import matplotlib
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from helpers import pictures
from helpers.device import available_devices

CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")


@pytest.fixture(autouse=True)
def restore_rc_params():
    with matplotlib.rc_context():
        yield


def texts(figure, gid=None):
    return [t.get_text() for t in figure.axes[0].texts if gid is None or t.get_gid() == gid]


def patches(figure, gid):
    return [p for p in figure.axes[0].patches if p.get_gid() == gid]


def value_at(figure, patch):
    """The value text drawn in the middle of a cell patch."""
    x, y = patch.get_x() + 0.5, patch.get_y()
    return next(t.get_text() for t in figure.axes[0].texts
                if t.get_gid() == "value" and t.get_position()[0] == x
                and y < t.get_position()[1] < y + 1)


def content(figure):
    """Everything a picture says and highlights, comparable between two calls."""
    axes = figure.axes[0]
    return ([(t.get_text(), t.get_position(), t.get_fontsize(), t.get_gid()) for t in axes.texts],
            [(p.get_gid(), p.get_xy() if hasattr(p, "get_xy") else p.get_center(), p.get_facecolor(),
              p.get_hatch()) for p in axes.patches],
            tuple(figure.get_size_inches()))


def glyph_warnings(figure):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(io.BytesIO(), format="png")
    return [str(w.message) for w in caught]


X = torch.arange(12.0).reshape(3, 4)

PICTURES = {
    "tensor": lambda **kw: pictures.draw_tensor(torch.arange(24).reshape(2, 3, 4), **kw),
    "selection": lambda **kw: pictures.draw_selection(X, lambda t: t[X > 5], **kw),
    "gather": lambda **kw: pictures.draw_gather(X, 1, torch.tensor([[0, 0], [1, 0], [3, 2]]), **kw),
    "scatter": lambda **kw: pictures.draw_scatter(
        torch.arange(1, 5).reshape(1, 4), 1, torch.tensor([[0, 1, 0, 0]]),
        torch.zeros(2, 4, dtype=torch.long), **kw),
    "reshape": lambda **kw: pictures.draw_reshape(torch.arange(6), (2, 3), **kw),
    "transpose": lambda **kw: pictures.draw_transpose(torch.arange(6).reshape(2, 3), **kw),
    "expand": lambda **kw: pictures.draw_expand_repeat(torch.tensor([[1, 2, 3]]), (3, 3), **kw),
    "cat_stack": lambda **kw: pictures.draw_cat_stack([torch.zeros(2, 3), torch.ones(1, 3)], 0, **kw),
    "broadcast": lambda **kw: pictures.draw_broadcast((1, 2), (3, 1), **kw),
    "broadcast_fails": lambda **kw: pictures.draw_broadcast((2, 3), (4,), **kw),
    "reduction": lambda **kw: pictures.draw_reduction(X, "max", 1, **kw),
    "storage": lambda **kw: pictures.draw_storage(
        torch.arange(6.0), {"v": torch.arange(6.0)[2:]}, **kw),
    "arange_linspace": lambda **kw: pictures.draw_arange_linspace(1, 1.3, 0.1, 4, **kw),
    "copy_or_share": lambda **kw: pictures.draw_copy_or_share(
        X, {"X": X, "X[1:]": X[1:], "X.double()": X.double()}, source_label="X", **kw),
    "image_stack": lambda **kw: pictures.draw_image_stack(torch.arange(60).reshape(3, 4, 5), **kw),
}


# ---------------------------------------------------------------- every picture


@pytest.mark.parametrize("name", PICTURES)
def test_each_picture_is_a_small_deterministic_figure_without_missing_glyphs(name):
    first, second = PICTURES[name](title="标题 title"), PICTURES[name](title="标题 title")
    assert isinstance(first, Figure)
    assert first.get_size_inches()[0] <= 8.0 and first.get_size_inches()[1] <= 10.0
    assert "标题 title" in texts(first, "title")
    assert content(first) == content(second)
    assert re.fullmatch(r"<Figure size \d+x\d+ with 1 Axes>", repr(first))
    assert glyph_warnings(first) == []


@pytest.mark.parametrize("name", ["tensor", "gather", "scatter", "selection", "expand",
                                  "broadcast_fails", "storage", "arange_linspace", "copy_or_share",
                                  "image_stack"])
def test_lang_chooses_one_language(name):
    english, chinese = " ".join(texts(PICTURES[name](lang="en"))), " ".join(texts(PICTURES[name](lang="zh")))
    assert not CJK.search(english)
    assert CJK.search(chinese) and "shape" not in chinese


@pytest.mark.parametrize("name", ["gather", "scatter", "reshape", "arange_linspace", "copy_or_share",
                                  "image_stack"])
def test_both_languages_means_each_line_in_one_of_them(name):
    both = texts(PICTURES[name]())
    assert set(both) <= set(texts(PICTURES[name](lang="zh"))) | set(texts(PICTURES[name](lang="en")))
    assert len(both) > len(texts(PICTURES[name](lang="en")))


def test_wrong_lang_is_explained():
    with pytest.raises(ValueError, match="lang") as error:
        pictures.draw_tensor(X, lang="fr")
    assert CJK.search(str(error.value))


# ---------------------------------------------------------------- draw_tensor


def test_tensor_2d_shows_values_indices_and_shape():
    figure = pictures.draw_tensor(X)
    assert texts(figure, "value") == [f"{v}." for v in range(12)]
    assert sorted(texts(figure, "index")) == sorted(["0", "1", "2", "3"] + ["0", "1", "2"])
    assert len(patches(figure, "cell")) == 12
    assert any("(3, 4)" in t and "float32" in t for t in texts(figure))


def test_tensor_3d_is_stacked_slices_and_1d_bool_is_a_row():
    figure = pictures.draw_tensor(torch.arange(24).reshape(2, 3, 4))
    assert texts(figure, "slice") == ["[0]", "[1]"]
    assert len(patches(figure, "cell")) == 24
    row = pictures.draw_tensor(torch.tensor([True, False]))
    assert texts(row, "value") == ["True", "False"]
    assert texts(row, "index") == ["0", "1"]


def test_values_are_compact():
    figure = pictures.draw_tensor(torch.tensor([0.5, 1.0, 1 / 3, -2.0, float("nan")]))
    assert texts(figure, "value") == ["0.5", "1.", "0.333", "-2.", "nan"]


def test_tensor_with_grad_is_drawn():
    assert texts(pictures.draw_tensor(torch.ones(2, requires_grad=True)), "value") == ["1.", "1."]


@pytest.mark.parametrize("bad, fragment", [
    (torch.zeros(1, 1, 1, 1), "4 维"),
    (torch.zeros(40), "too big"),
    ([1, 2, 3], "torch.tensor"),
])
def test_tensor_errors_say_what_to_do(bad, fragment):
    with pytest.raises((TypeError, ValueError)) as error:
        pictures.draw_tensor(bad)
    assert fragment in str(error.value)
    assert CJK.search(str(error.value)) and re.search("[A-Za-z]{4} ", str(error.value))


# ---------------------------------------------------------------- draw_selection


def picked_values(figure):
    return sorted(value_at(figure, p) for p in patches(figure, "picked"))


@pytest.mark.parametrize("select, expected", [
    (lambda t: t[1:, ::2], ["10.", "4.", "6.", "8."]),
    (lambda t: t[X > 8], ["10.", "11.", "9."]),
    (lambda t: t.index_select(1, torch.tensor([3, 0, 3])), ["0.", "11.", "3.", "4.", "7.", "8."]),
    (lambda t: t.narrow(0, 1, 2), [f"{v}." for v in sorted(range(4, 12), key=str)]),
    (lambda t: torch.take(t, torch.tensor([0, 5, 11])), ["0.", "11.", "5."]),
    (lambda t: t[1, 2], ["6."]),
])
def test_selection_highlights_what_select_picks(select, expected):
    figure = pictures.draw_selection(X, select)
    assert picked_values(figure) == expected
    result = select(X)
    assert [value_at(figure, p) for p in patches(figure, "result")] == [
        f"{int(v)}." for v in result.reshape(-1).tolist()]
    assert any(f"{tuple(result.shape)}" in t for t in texts(figure))


def test_selection_notes_where_each_result_comes_from():
    figure = pictures.draw_selection(X, lambda t: torch.take(t, torch.tensor([11, 1])))
    assert texts(figure, "note") == ["[2,3]", "[0,1]"]


@pytest.mark.parametrize("select, error, fragment", [
    (X[1:], TypeError, "lambda"),
    (lambda t: t * 2, ValueError, "只挑选"),
    (lambda t: t[5], ValueError, "select(x)"),
])
def test_selection_errors_say_what_to_do(select, error, fragment):
    with pytest.raises(error) as caught:
        pictures.draw_selection(X, select)
    assert fragment in str(caught.value)


# ---------------------------------------------------------------- gather / scatter


def test_gather_links_each_output_cell_to_its_source():
    src, index = torch.tensor([[1, 2], [3, 4]]), torch.tensor([[0, 0], [1, 0]])
    figure = pictures.draw_gather(src, 1, index)
    assert texts(figure, "note") == ["←[0,0]", "←[0,0]", "←[1,1]", "←[1,0]"]
    outs = patches(figure, "out")
    assert [value_at(figure, p) for p in outs] == ["1", "1", "4", "3"]
    sources = {value_at(figure, p): p.get_facecolor() for p in patches(figure, "source")}
    assert set(sources) == {"1", "3", "4"}  # 2 is never gathered
    assert [p.get_facecolor() for p in outs] == [sources[value_at(figure, p)] for p in outs]
    assert [p.get_facecolor() for p in patches(figure, "index-cell")] == [p.get_facecolor() for p in outs]
    assert "out[i][j] = src[i][index[i][j]]" in texts(figure)


def test_scatter_shows_where_each_value_lands_and_collisions():
    figure = PICTURES["scatter"]()
    assert "out[i][index[i][j]] = src[i][j]" in texts(figure)
    assert [value_at(figure, p) for p in patches(figure, "landed")] == ["2"]  # into out[0][1]
    assert len(patches(figure, "collision")) == 1  # 1, 3 and 4 all go to out[0][0]
    assert "×3" in texts(figure, "note")
    assert len(patches(figure, "source")) == 4


@pytest.mark.parametrize("call, fragment", [
    (lambda: pictures.draw_gather(X, 1, torch.tensor([[0.0]])), "index.long()"),
    (lambda: pictures.draw_gather(X, 2, torch.tensor([[0]])), "dim=2"),
    (lambda: pictures.draw_gather(X, 0, torch.tensor([0])), "维数相同"),
    (lambda: pictures.draw_gather(X, 0, torch.tensor([[7]])), "PyTorch refused"),
])
def test_gather_errors_say_what_to_do(call, fragment):
    with pytest.raises((TypeError, ValueError, IndexError)) as error:
        call()
    assert fragment in str(error.value)


# ---------------------------------------------------------------- reshape / transpose / expand


def test_reshape_numbers_the_same_order_under_both_shapes():
    figure = pictures.draw_reshape(torch.arange(6), (2, 3))
    assert texts(figure, "note") == [f"#{k}" for k in range(6)] * 3  # x, x.reshape, the strip
    assert {"与 x 共享存储：是", "shares x's storage: yes"} <= set(texts(figure))
    copied = pictures.draw_reshape(torch.arange(6).reshape(2, 3).T, (6,))
    assert any("no (copied)" in t for t in texts(copied))
    with pytest.raises(ValueError, match="multiply to 6"):
        pictures.draw_reshape(torch.arange(6), (4, 2))


def test_transpose_shows_strides_and_the_jumping_order():
    figure = pictures.draw_transpose(torch.arange(6).reshape(2, 3))
    assert [value_at(figure, p) for p in patches(figure, "visit")] == ["@0", "@3", "@1", "@4", "@2", "@5"]
    assert {"stride (3, 1)", "stride (1, 3)", "is_contiguous() False"} <= set(texts(figure))
    with pytest.raises(ValueError, match="at least 2"):
        pictures.draw_transpose(torch.arange(3))


def test_expand_fades_the_repeats_and_repeat_copies():
    figure = PICTURES["expand"]()
    assert len(patches(figure, "faded")) == 9 - 3
    assert len(patches(figure, "copy")) == 9
    assert {"x.expand(3, 3)", "x.repeat(3, 1)", "stride (0, 1)"} <= set(texts(figure))
    with pytest.raises(ValueError, match="only size-1"):
        pictures.draw_expand_repeat(torch.tensor([[1, 2, 3]]), (3, 4))


# ---------------------------------------------------------------- cat / stack


def test_cat_and_stack_show_result_shapes_coloured_by_origin():
    figure = pictures.draw_cat_stack([torch.zeros(2, 3), torch.ones(2, 3)], 1)
    assert {"→ (2, 6)", "→ (2, 2, 3)"} <= set(texts(figure))
    cat = patches(figure, "cat")
    assert [value_at(figure, p) for p in cat] == (["0."] * 3 + ["1."] * 3) * 2
    assert len({p.get_facecolor() for p in cat}) == 2
    assert len(patches(figure, "stack")) == 12


def test_a_failing_stack_is_written_not_raised():
    figure = PICTURES["cat_stack"]()
    assert len(patches(figure, "cat")) == 9
    assert "torch.stack(tensors, dim=0)" in texts(figure, "error")
    with pytest.raises(TypeError, match="list or tuple"):
        pictures.draw_cat_stack(torch.zeros(2, 3), 0)


# ---------------------------------------------------------------- broadcast


def test_broadcast_1x2_with_3x1_stretches_both():
    figure = pictures.draw_broadcast(torch.tensor([[10, 20]]), torch.tensor([[1], [2], [3]]))
    assert len(patches(figure, "stretched")) == 2  # a's dim 0 and b's dim 1
    assert len(patches(figure, "faded")) == 4 + 3  # copies of a's row, copies of b's column
    assert [value_at(figure, p) for p in patches(figure, "result")] == ["11", "21", "12", "22", "13", "23"]
    assert "a + b  (3, 2)" in texts(figure)
    assert patches(figure, "clash") == []


def test_broadcast_of_shapes_pads_missing_dims():
    figure = pictures.draw_broadcast((2, 1, 3), torch.Size([4, 1]))
    assert len(patches(figure, "padded")) == 1
    assert len(patches(figure, "result")) == 24


def test_a_failing_broadcast_marks_the_clashing_dim():
    figure = pictures.draw_broadcast((2, 3), (4,))
    clash = patches(figure, "clash")
    assert sorted(value_at(figure, p) for p in clash) == ["3", "4", "?"]
    assert any("dim -1" in t and "3" in t and "4" in t for t in texts(figure, "error"))
    assert patches(figure, "result") == []


# ---------------------------------------------------------------- reduction


def test_reduction_colours_groups_and_shows_both_keepdims():
    figure = pictures.draw_reduction(X, "sum", 0)
    assert {"→ (4,)", "→ (1, 4)"} <= set(texts(figure))
    assert [value_at(figure, p) for p in patches(figure, "reduced")] == ["12.", "15.", "18.", "21."] * 2
    assert len({p.get_facecolor() for p in patches(figure, "cell")}) == 4


def test_max_frames_the_winners():
    figure = pictures.draw_reduction(torch.tensor([[3, 1, 4], [1, 5, 9]]), "max", 1, keepdim=True)
    assert len(patches(figure, "winner")) == 2
    bold = [t.get_text() for t in figure.axes[0].texts if t.get_fontweight() == "bold"]
    assert "x.max(dim=1, keepdim=True)" in bold


@pytest.mark.parametrize("call, fragment", [
    (lambda: pictures.draw_reduction(torch.arange(6), "mean", 0), "x.float()"),
    (lambda: pictures.draw_reduction(X, "sum", 2), "dim=2"),
    (lambda: pictures.draw_reduction(X, "median", 0), "op must be one of"),
])
def test_reduction_errors_say_what_to_do(call, fragment):
    with pytest.raises((ValueError, IndexError)) as error:
        call()
    assert fragment in str(error.value)


# ---------------------------------------------------------------- storage


def test_views_are_windows_on_one_strip_and_a_clone_gets_its_own():
    base = torch.arange(6.0)
    figure = pictures.draw_storage(base, {
        "base[2:]": base[2:], "T": base.view(2, 3).T, "expand": base[:1].expand(3),
        "detach": base.detach(), "clone": base.clone(),
    })
    assert len(patches(figure, "storage")) == 12  # two strips of 6
    assert sum("another storage" in t for t in texts(figure)) == 1
    captions = [t for t in texts(figure) if "stride" in t]
    assert captions == [
        "base   形状 shape (6,)   stride (1,)   offset 0",
        "base[2:]   形状 shape (4,)   stride (1,)   offset 2",
        "T   形状 shape (3, 2)   stride (1, 3)   offset 0",
        "expand   形状 shape (3,)   stride (0,)   offset 0",
        "detach   形状 shape (6,)   stride (1,)   offset 0",
        "clone   形状 shape (6,)   stride (1,)   offset 0",
    ]
    windows = [value_at(figure, p) for p in patches(figure, "window")]
    assert windows[6:10] == ["0", "1", "2", "3"]  # base[2:]
    assert windows[10:16] == ["0", "2", "4", "1", "3", "5"]  # the transpose reads 0, 3, 1, ...
    assert windows[16] == "0,1,2"  # expand: one storage element three times


def test_numpy_and_from_numpy_share_one_strip():
    a = np.arange(6.0)
    figure = pictures.draw_storage(a, {"t": torch.from_numpy(a), "a[::2]": a[::2],
                                       "u": torch.from_numpy(a[1:])}, base_label="a")
    assert len(patches(figure, "storage")) == 6
    assert [t for t in texts(figure) if "stride" in t][-1].endswith("offset 1")
    assert any("(3,)   stride (2,)" in t for t in texts(figure))


def test_no_addresses_are_drawn():
    base = torch.arange(6.0)
    words = " ".join(texts(pictures.draw_storage(base, {"c": base.clone()})))
    assert not re.search(r"0x|\d{6,}", words)
    assert str(base.data_ptr()) not in words


def test_storage_errors_say_what_to_do():
    with pytest.raises(TypeError, match="dict"):
        pictures.draw_storage(torch.arange(3), [torch.arange(3)])
    with pytest.raises(TypeError, match="NumPy"):
        pictures.draw_storage(torch.arange(3), {"x": [1, 2]})
    with pytest.raises(ValueError, match="at most 32"):
        pictures.draw_storage(torch.arange(100), {})


# ---------------------------------------------------------------- Jupyter display


class FakeShell:
    def __init__(self):
        from IPython.core.formatters import DisplayFormatter

        self.display_formatter = DisplayFormatter()


def test_figures_get_a_png_formatter_in_ipython_once(monkeypatch):
    import IPython

    shell = FakeShell()
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    pictures.draw_tensor(X)
    pictures.draw_tensor(X)
    png = shell.display_formatter.formatters["image/png"]
    assert png.lookup_by_type(Figure) is not None
    data, _ = shell.display_formatter.format(pictures.draw_tensor(X))
    assert set(data) == {"text/plain", "image/png"}


def test_a_chosen_figure_format_is_kept(monkeypatch):
    import IPython

    shell = FakeShell()
    svg = shell.display_formatter.formatters["image/svg+xml"]
    svg.for_type(Figure, lambda figure: "<svg/>")
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    data, _ = shell.display_formatter.format(pictures.draw_tensor(X))
    assert set(data) == {"text/plain", "image/svg+xml"}


# ---------------------------------------------------------------- any device


@pytest.mark.parametrize("device", available_devices())
def test_tensors_on_any_device_draw_like_on_the_cpu(device):
    def every_picture(on):
        x = torch.arange(12.0, device=on).reshape(3, 4)
        return [
            pictures.draw_tensor(x),
            pictures.draw_selection(x, lambda t: t[x > 5]),
            pictures.draw_gather(x, 1, torch.tensor([[0, 0], [1, 0], [3, 2]], device=on)),
            pictures.draw_scatter(x[:1], 1, torch.tensor([[0, 1, 0, 0]], device=on), x),
            pictures.draw_reshape(x, (2, 6)),
            pictures.draw_transpose(x),
            pictures.draw_expand_repeat(x[:1], (3, 4)),
            pictures.draw_cat_stack([x, x], 0),
            pictures.draw_broadcast(x[:1], x[:, :1]),
            pictures.draw_reduction(x, "max", 0),
            pictures.draw_storage(x, {"x.T": x.T, "x[1:]": x[1:], "clone": x.clone()}),
            pictures.draw_image_stack(x.reshape(3, 2, 2)),
        ]

    assert [texts(f) for f in every_picture(device)] == [texts(f) for f in every_picture("cpu")]


# ---------------------------------------------------------------- creating tensors


def test_arange_is_half_open_and_linspace_closed():
    figure = pictures.draw_arange_linspace(0, 1, 0.25, 5)
    assert len(patches(figure, "arange")) == 4  # 0, 0.25, 0.5, 0.75
    assert len(patches(figure, "excluded")) == 1 and patches(figure, "trap") == []
    assert len(patches(figure, "linspace")) == 5
    assert texts(figure, "gap") == ["1", "2", "3", "4"]  # 5 points, 4 gaps
    assert texts(figure, "bracket") == ["[", ")", "[", "]"]
    assert texts(figure, "value") == ["0.", "0.25", "0.5", "0.75"] + ["0.", "0.25", "0.5", "0.75", "1."]


def test_a_float_step_that_brings_the_end_along_is_framed():
    figure = pictures.draw_arange_linspace(1, 1.3, 0.1, 4)
    assert len(patches(figure, "arange")) == len(torch.arange(1, 1.3, 0.1)) == 4
    assert len(patches(figure, "trap")) == 1 and patches(figure, "excluded") == []
    assert "torch.arange(1, 1.3, 0.1)  →  numel() = 4" in texts(figure)


@pytest.mark.parametrize("args, fragment", [
    ((0, 1, 0.25, 1), "steps"),
    ((0, 1, 0, 5), "step > 0"),
    ((1, 0, 0.25, 5), "end > start"),
    ((0, 1, 0.01, 5), "Too many points"),
    ((0, "1", 0.25, 5), "finite number"),
])
def test_arange_linspace_errors_say_what_to_do(args, fragment):
    with pytest.raises((TypeError, ValueError)) as error:
        pictures.draw_arange_linspace(*args)
    assert fragment in str(error.value) and CJK.search(str(error.value))


def test_copy_or_share_is_checked_on_the_memory():
    arr = np.array([1.0, 2.0, 3.0])
    t = torch.from_numpy(arr)
    made = {"tensor": torch.tensor(arr), "from_numpy": t, "as_tensor": torch.as_tensor(arr),
            "as_tensor float32": torch.as_tensor(arr, dtype=torch.float32), "view": t[1:]}
    arr[0] = 100.0
    figure = pictures.draw_copy_or_share(arr, made, source_label="arr")
    values = [value_at(figure, p) for p in patches(figure, "shared")]
    assert values == ["100.", "2.", "3."] * 2 + ["2.", "3."]
    assert [value_at(figure, p) for p in patches(figure, "copied")] == ["1.", "2.", "3."] * 2
    assert patches(figure, "same") == []
    assert texts(figure, "dtype") == ["float64"] * 4 + ["float32", "float64"]
    assert texts(figure, "label") == ["arr", *made]


def test_a_conversion_that_changes_nothing_is_the_same_object():
    t = torch.tensor([1.0, 2.0])
    figure = pictures.draw_copy_or_share(t, {"t.float()": t.float(), "t.double()": t.double()},
                                         source_label="t", lang="en")
    assert len(patches(figure, "same")) == 2 and len(patches(figure, "copied")) == 2
    assert texts(figure, "verdict") == ["the very same object (is)", "a copy in other memory"]
    words = " ".join(texts(figure))
    assert not re.search(r"0x|\d{6,}", words) and str(t.data_ptr()) not in words


def test_copy_or_share_errors_say_what_to_do():
    with pytest.raises(TypeError, match="dict"):
        pictures.draw_copy_or_share(X, [X])
    with pytest.raises(TypeError, match="NumPy"):
        pictures.draw_copy_or_share(X, {"list": [1, 2]})
    with pytest.raises(ValueError, match="at most 16"):
        pictures.draw_copy_or_share(torch.zeros(20), {"c": torch.zeros(20)})


def test_image_stack_puts_channel_0_in_front():
    figure = PICTURES["image_stack"]()
    assert [value_at(figure, p) for p in patches(figure, "front")] == [str(v) for v in range(20)]
    assert len(patches(figure, "behind")) == 2 * 20
    assert texts(figure, "channel") == ["image[2] B", "image[1] G", "image[0] R"]
    assert set(texts(figure, "axis")) == {"H = 4", "W = 5", "C = 3"}
    grey = pictures.draw_image_stack(torch.zeros(1, 2, 2))
    assert texts(grey, "channel") == ["image[0]"] and patches(grey, "behind") == []
    with pytest.raises(ValueError, match="(C, H, W)"):
        pictures.draw_image_stack(torch.zeros(4, 4))
