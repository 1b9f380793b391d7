"""Small matplotlib pictures of tensors for the lessons on indexing, broadcasting and memory.

Every public function returns a `matplotlib.figure.Figure` built without pyplot, so nothing is
shown twice and no global pyplot state is touched. Make it the last expression of a Jupyter cell
to see it. A bare Figure only shows as a picture in Jupyter once a PNG formatter is registered
for `Figure` (pyplot's inline backend does that when it is activated); this module registers the
same formatter itself, if none is registered yet, so the picture shows exactly once whether or not
pyplot was imported. Elsewhere, save it: `fig.savefig("picture.png")`.

Labels are bilingual by default ("形状 shape"); pass lang="zh" or lang="en" for one language.
Drawn artists carry a gid that says what they are, e.g. "picked", "faded", "clash", "index",
"value", so tests can check what a picture contains without comparing pixels.
"""

import math
from functools import partial

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from helpers.fonts import use_chinese_font
from helpers.text import bilingual

MAX_SIDE = 16          # longest dimension a grid may have
MAX_CELLS = 256        # most cells in one tensor picture
MAX_STORAGE = 32       # longest storage strip
UNIT_INCHES = 0.42     # side of one cell, when the figure fits
MAX_WIDTH_INCHES = 8.0
MAX_HEIGHT_INCHES = 10.0

EDGE = "#444444"
GREY = "#777777"
PICKED = "#ffcc4d"
FADED = "#e3e9f3"
HATCH = "#b4c2d6"
CLASH = "#ef8a8a"
ERROR_RED = "#c62828"
# Light qualitative colours (ColorBrewer Set3) for "this cell belongs to that group".
PALETTE = ("#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3",
           "#fdb462", "#b3de69", "#fccde5", "#d9d9d9", "#bc80bd")
OPS = {"+": torch.add, "-": torch.sub, "*": torch.mul, "/": torch.div}
REDUCTIONS = ("sum", "mean", "max", "min", "prod")


# ---------------------------------------------------------------- Jupyter display


def _show_inline_in_jupyter():
    """Inside IPython, register the PNG formatter for Figure unless some formatter is already set."""
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import print_figure
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    for formatter in shell.display_formatter.formatters.values():
        try:
            formatter.lookup_by_type(Figure)
            return  # the inline backend (or the user) already chose how figures show
        except KeyError:
            pass
    png = shell.display_formatter.formatters["image/png"]
    png.for_type(Figure, partial(print_figure, fmt="png", base64=True, bbox_inches="tight"))


# ---------------------------------------------------------------- words and numbers


def _say(lang, zh, en):
    """The label in the chosen language; both by default ("形状 shape")."""
    if lang == "zh":
        return zh
    if lang == "en":
        return en
    return f"{zh} {en}"


def _say_lines(lang, zh, en):
    """A sentence as lines: one per language, so long bilingual captions stay narrow."""
    return [zh] if lang == "zh" else [en] if lang == "en" else [zh, en]


def _check_lang(lang):
    if lang not in (None, "zh", "en"):
        raise ValueError(bilingual(
            f'lang 只能是 "zh"、"en" 或 None（两种语言都显示），但传入的是 {lang!r}。',
            f'lang must be "zh", "en" or None (both languages), but got {lang!r}.',
        ))


def _fmt(value):
    """A compact text for one element, like torch prints it: 3, 1., 0.25, True."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e4:
            return f"{int(value)}."
        return f"{value:.3g}"
    return str(value)


def _shape(shape):
    return str(tuple(int(s) for s in shape))


def _where(flat, shape):
    """The index text of a flat position: [1,2]."""
    return "[" + ",".join(str(int(i)) for i in np.unravel_index(flat, tuple(shape))) + "]"


def _text_width(text, size):
    """Rough width of a text in cell units (CJK characters are about twice as wide)."""
    longest = max(text.split("\n"), key=len) if text else ""
    return size * sum(1.0 if ord(ch) > 0x2E80 else 0.6 for ch in longest)


# ---------------------------------------------------------------- checks on what the user passed


def _tensor(t, name="x", max_dims=3):
    """A detached CPU copy of t after checking it can be drawn."""
    if not torch.is_tensor(t):
        raise TypeError(bilingual(
            f"{name} 应该是张量（torch.Tensor），但传入的是 {type(t).__name__}。"
            "请先用 torch.tensor(...) 或 torch.from_numpy(...) 把数据变成张量。",
            f"{name} should be a tensor (torch.Tensor), but got {type(t).__name__}. "
            "Turn the data into a tensor first with torch.tensor(...) or torch.from_numpy(...).",
        ))
    if t.dim() > max_dims:
        raise ValueError(bilingual(
            f"{name} 有 {t.dim()} 维（形状 {_shape(t.shape)}），这里最多只能画 {max_dims} 维。"
            f"请先取出一部分再画，例如 {name}[0]。",
            f"{name} has {t.dim()} dimensions (shape {_shape(t.shape)}); this picture draws at most "
            f"{max_dims}. Draw a part of it instead, e.g. {name}[0].",
        ))
    if any(s > MAX_SIDE for s in t.shape) or t.numel() > MAX_CELLS:
        raise ValueError(bilingual(
            f"{name} 的形状是 {_shape(t.shape)}，太大了，画出来看不清：每一维最多 {MAX_SIDE}，"
            f"总共最多 {MAX_CELLS} 个元素。请先切出一小块，例如 {name}[:4, :4]。",
            f"{name} has shape {_shape(t.shape)}, too big to read when drawn: at most {MAX_SIDE} "
            f"per dimension and {MAX_CELLS} elements. Slice a small piece first, e.g. {name}[:4, :4].",
        ))
    return t.detach().cpu()


def _dim(dim, ndim, name="dim"):
    """dim as a non-negative int, or a bilingual IndexError."""
    if isinstance(dim, bool) or not isinstance(dim, int) or not -max(ndim, 1) <= dim < max(ndim, 1):
        low, high = -max(ndim, 1), max(ndim, 1) - 1
        raise IndexError(bilingual(
            f"{name}={dim!r} 不是这个 {ndim} 维张量的合法维度：应是 {low} 到 {high} 之间的整数。",
            f"{name}={dim!r} is not a dimension of this {ndim}-d tensor: use an integer from "
            f"{low} to {high}.",
        ))
    return dim % max(ndim, 1)


def _sizes(sizes, name="sizes"):
    """A tuple of ints from a shape given as torch.Size, tuple, list or one int."""
    if isinstance(sizes, int) and not isinstance(sizes, bool):
        return (sizes,)
    if isinstance(sizes, (tuple, list, torch.Size)) and all(
            isinstance(s, int) and not isinstance(s, bool) for s in sizes):
        return tuple(sizes)
    raise TypeError(bilingual(
        f"{name} 应该是一个形状，例如 (2, 3) 或 torch.Size([2, 3])，但传入的是 {sizes!r}。",
        f"{name} should be a shape such as (2, 3) or torch.Size([2, 3]), but got {sizes!r}.",
    ))


def _torch_refused(what, error):
    """A bilingual message for an operation torch refused, with torch's own reason."""
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return bilingual(f"PyTorch 拒绝执行 {what}：{reason}", f"PyTorch refused {what}: {reason}")


# ---------------------------------------------------------------- the sheet all pictures draw on


class _Sheet:
    """One Axes measured in cells, y growing downward; font sizes are set when it is finished."""

    def __init__(self):
        use_chinese_font()
        _show_inline_in_jupyter()
        self.figure = Figure()
        self.axes = self.figure.add_axes((0, 0, 1, 1))
        self.axes.set_axis_off()
        self._sizes = []
        self._box = [math.inf, math.inf, -math.inf, -math.inf]

    def include(self, x0, y0, x1, y1):
        box = self._box
        self._box = [min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1)]

    def text(self, x, y, text, *, size=0.3, gid="caption", ha="center", va="center", **style):
        """Write text at (x, y), size in cell units; return its rough width."""
        artist = self.axes.text(x, y, text, ha=ha, va=va, gid=gid, **style)
        self._sizes.append((artist, size))
        width, height = _text_width(text, size), 1.3 * size * (text.count("\n") + 1)
        left = {"left": x, "center": x - width / 2, "right": x - width}[ha]
        top = {"top": y, "center": y - height / 2, "bottom": y - height}[va]
        self.include(left, top, left + width, top + height)
        return width

    def rect(self, x, y, w=1.0, h=1.0, *, gid="cell", face="white", hatch=None, edge=EDGE,
             linewidth=1.0, linestyle="-"):
        patch = Rectangle((x, y), w, h, facecolor=face, edgecolor=edge, hatch=hatch,
                          hatchcolor=HATCH, linewidth=linewidth, linestyle=linestyle, gid=gid)
        self.axes.add_patch(patch)
        self.include(x, y, x + w, y + h)
        return patch

    def arrow(self, x0, y0, x1, y1, *, gid="arrow"):
        self.axes.annotate("", xy=(x1, y1), xytext=(x0, y0), gid=gid,
                           arrowprops={"arrowstyle": "->", "color": EDGE, "linewidth": 1.2})
        self.include(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))

    def finish(self, title=None):
        """Size the figure to what was drawn and return it."""
        if title is not None:
            self.text(self._box[0], self._box[1] - 0.25, str(title), size=0.38, gid="title",
                      ha="left", va="bottom", weight="bold")
        x0, y0, x1, y1 = self._box
        x0, y0, x1, y1 = x0 - 0.2, y0 - 0.2, x1 + 0.2, y1 + 0.2
        scale = min(UNIT_INCHES, MAX_WIDTH_INCHES / (x1 - x0), MAX_HEIGHT_INCHES / (y1 - y0))
        # Whole pixels at 100 dpi keep the text repr short: <Figure size 539x220 with 1 Axes>.
        self.figure.set_size_inches(round((x1 - x0) * scale, 2), round((y1 - y0) * scale, 2))
        self.axes.set_xlim(x0, x1)
        self.axes.set_ylim(y1, y0)
        for artist, size in self._sizes:
            artist.set_fontsize(max(5.0, size * scale * 72))
        return self.figure


# ---------------------------------------------------------------- drawing primitives


def _cell(sheet, x, y, text="", *, gid="cell", face="white", hatch=None, note=None,
          color="black", edge=EDGE, frame=None):
    """One square cell with its value, an optional small note under the value and an optional
    thick red frame whose gid is `frame`."""
    sheet.rect(x, y, gid=gid, face=face, hatch=hatch, edge=edge)
    if frame:
        sheet.rect(x + 0.05, y + 0.05, 0.9, 0.9, gid=frame, face="none", edge=ERROR_RED,
                   linewidth=2.5)
    size = min(0.34, 0.88 / max(_text_width(text, 1.0), 0.1))  # long values shrink to fit
    sheet.text(x + 0.5, y + (0.4 if note else 0.5), text, size=size, gid="value", color=color)
    if note:
        sheet.text(x + 0.5, y + 0.8, note, size=min(0.2, 0.9 / _text_width(note, 1.0)),
                   gid="note", color=GREY)


def _grid(sheet, x, y, rows, cols, cell, *, row_labels=True, col_labels=True):
    """A rows x cols grid; cell(i, j) gives _cell keywords. Indices along the top and left edges."""
    left = 0.5 if row_labels else 0.0
    top = 0.5 if col_labels else 0.0
    for j in range(cols if col_labels else 0):
        sheet.text(x + left + j + 0.5, y + 0.25, str(j), size=0.22, gid="index", color=GREY)
    for i in range(rows if row_labels else 0):
        sheet.text(x + 0.25, y + top + i + 0.5, str(i), size=0.22, gid="index", color=GREY)
    for i in range(rows):
        for j in range(cols):
            _cell(sheet, x + left + j, y + top + i, **cell(i, j))
    return left + cols, top + rows


def _block(sheet, x, y, shape, cell, *, labels=True):
    """A 0-d to 3-d block of cells; cell(flat) gives each cell's keywords. Returns (w, h).

    A 3-d block is drawn as its 2-d slices stacked top to bottom, labelled [0], [1], ...
    """
    shape = tuple(shape)
    if len(shape) == 0:
        _cell(sheet, x, y, **cell(0))
        return 1.0, 1.0
    if len(shape) == 1:
        return _grid(sheet, x, y, 1, shape[0], lambda i, j: cell(j),
                     row_labels=False, col_labels=labels)
    if len(shape) == 2:
        return _grid(sheet, x, y, shape[0], shape[1], lambda i, j: cell(i * shape[1] + j),
                     row_labels=labels, col_labels=labels)
    per_slice, width, top = shape[1] * shape[2], 0.0, y
    for k in range(shape[0]):
        first = k == 0 and labels
        sheet.text(x, top + (0.5 if first else 0.0) + 0.5, f"[{k}]", size=0.26, gid="slice",
                   ha="left", color=EDGE)
        w, h = _grid(sheet, x + 0.8, top, shape[1], shape[2],
                     lambda i, j, k=k: cell(k * per_slice + i * shape[2] + j),
                     row_labels=labels, col_labels=first)
        width, top = max(width, w + 0.8), top + h + 0.3
    return width, top - 0.3 - y


def _lines(sheet, x, y, lines, *, size=0.28, gid="caption", **style):
    """Left-aligned lines of text from (x, y) down; returns (width, height)."""
    width = 0.0
    for k, line in enumerate(lines):
        width = max(width, sheet.text(x, y + 0.5 * k, line, size=size, gid=gid, ha="left",
                                      va="top", **style))
    return width, 0.5 * len(lines)


def _header(sheet, lines, *, size=0.28):
    """Lines of explanation above everything drawn at y >= 0 (the title goes above them)."""
    return _lines(sheet, 0, -0.5 * len(lines) - 0.3, lines, size=size)


def _panel(sheet, x, y, lines, shape, cell, *, labels=True):
    """Caption lines above a block; returns (width, height)."""
    text_w, text_h = _lines(sheet, x, y, lines)
    w, h = _block(sheet, x, y + text_h + 0.1, shape, cell, labels=labels)
    return max(w, text_w), text_h + 0.1 + h


def _strip(sheet, x, y, cell, length, *, positions=True):
    """A 1-d strip of cells (storage order) with their positions 0..n-1 underneath."""
    for p in range(length):
        _cell(sheet, x + p, y, **cell(p))
        if positions:
            sheet.text(x + p + 0.5, y + 1.25, str(p), size=0.22, gid="index", color=GREY)
    return float(length), 1.5 if positions else 1.0


def _note_error(sheet, x, y, lines):
    """A failed operation, written in red where its result would be."""
    return _lines(sheet, x, y, lines, gid="error", color=ERROR_RED)


def _gradient(position, count):
    """A light colour that moves along a colour ramp with position: shows storage order."""
    from matplotlib import colormaps

    return colormaps["YlGnBu"](0.05 + 0.35 * position / max(count - 1, 1))


def _faded_repeats(source, first):
    """Cell keywords for a block whose cell p shows source element source[p]: an element's first
    appearance is drawn by first(q), each later one faded and hatched (a repeat, not a copy)."""
    firsts = {}
    for p, q in enumerate(source):
        firsts.setdefault(q, p)

    def cell(p):
        q = source[p]
        if firsts[q] == p:
            return first(q)
        return {**first(q), "face": FADED, "hatch": "///", "gid": "faded", "color": GREY}

    return cell


def _values(t):
    return [_fmt(v) for v in t.reshape(-1).tolist()]


def _positions(shape, device="cpu"):
    """The index tensor 0..n-1 in the given shape (the trick that tells where elements come from)."""
    shape = tuple(shape)
    return torch.arange(math.prod(shape), device=device).reshape(shape)


# ---------------------------------------------------------------- public pictures


def draw_tensor(t, title=None, *, lang=None):
    """Draw a 0-d to 3-d tensor as cells with its values and indices; shape shown above."""
    _check_lang(lang)
    t = _tensor(t, "t")
    values = _values(t)
    sheet = _Sheet()
    lines = [f"{_say(lang, '形状', 'shape')} {_shape(t.shape)}   {str(t.dtype).replace('torch.', '')}"]
    _panel(sheet, 0, 0, lines, t.shape, lambda p: {"text": values[p]})
    return sheet.finish(title)


def draw_selection(x, select, title=None, *, lang=None):
    """Draw x with the elements that select(x) picks highlighted, beside the result.

    select is a callable such as `lambda t: t[1:, ::2]`. The picked positions are found by
    applying select to the index tensor arange(x.numel()).reshape(x.shape), so any indexing
    operation works (slices, masks, index_select, narrow, take, ...).
    """
    _check_lang(lang)
    if not callable(select):
        raise TypeError(bilingual(
            f"select 应该是一个函数，例如 lambda t: t[1:, ::2]，但传入的是 {type(select).__name__}。"
            "把索引写在 lambda 里，不要先算出结果再传进来。",
            f"select should be a function such as lambda t: t[1:, ::2], but got "
            f"{type(select).__name__}. Put the indexing inside a lambda instead of passing its result.",
        ))
    values_x = _tensor(x, "x")
    try:
        picked = select(_positions(x.shape, x.device))
        result = select(x)
    except Exception as error:
        raise ValueError(bilingual(
            f"把 select 用到 x 上时出错了：{type(error).__name__}: {error}\n请先单独运行 select(x) 检查它。",
            f"select failed when applied to x: {type(error).__name__}: {error}\n"
            "Run select(x) on its own first to check it.",
        )) from error
    if not (torch.is_tensor(picked) and torch.is_tensor(result) and picked.dtype == torch.long
            and picked.shape == result.shape
            and (picked.numel() == 0 or 0 <= picked.min() <= picked.max() < x.numel())):
        raise ValueError(bilingual(
            "select 应该只挑选 x 的元素（切片、掩码、index_select、narrow、take ……），"
            "返回一个张量，而不是计算新的值。",
            "select should only pick elements of x (slicing, a mask, index_select, narrow, take, ...) "
            "and return a tensor, not compute new values.",
        ))
    picked, result = picked.detach().cpu(), _tensor(result, "select(x)")
    chosen = set(picked.reshape(-1).tolist())
    values, picked_flat = _values(values_x), picked.reshape(-1).tolist()
    result_values = _values(result)

    sheet = _Sheet()
    w, h = _panel(sheet, 0, 0, [f"x  {_shape(values_x.shape)}"], values_x.shape,
                  lambda p: {"text": values[p], "gid": "picked" if p in chosen else "cell",
                             "face": PICKED if p in chosen else "white"})
    sheet.arrow(w + 0.3, 1.6, w + 1.3, 1.6)
    _header(sheet, _say_lines(lang, "结果格里的小字：这个值取自 x 的哪个位置",
                              "small text in a result cell: the position in x it was taken from"),
            size=0.24)
    _panel(sheet, w + 1.6, 0, [f"{_say(lang, '结果', 'result')}  {_shape(result.shape)}"],
           result.shape,
           lambda p: {"text": result_values[p], "gid": "result", "face": PICKED,
                      "note": _where(picked_flat[p], values_x.shape)})
    return sheet.finish(title)


def _formula(ndim, dim, out, src, *, scatter=False):
    """out[i][j] = src[index[i][j]][j] (gather) or out[index[i][j]][j] = src[i][j] (scatter)."""
    letters = "ijk"[:ndim]
    plain = "".join(f"[{c}]" for c in letters)
    routed = "".join(f"[index{plain}]" if d == dim else f"[{c}]" for d, c in enumerate(letters))
    return f"{out}{routed} = {src}{plain}" if scatter else f"{out}{plain} = {src}{routed}"


def _index_args(src, dim, index, name):
    """Check the arguments shared by gather and scatter; return (src, dim, index) on the CPU."""
    src_cpu = _tensor(src, "src")
    index_cpu = _tensor(index, "index")
    if index_cpu.dtype != torch.long:
        raise TypeError(bilingual(
            f"{name} 的 index 必须是 int64（torch.long）张量，但它是 {index_cpu.dtype}。"
            "请用 index.long() 转换。",
            f"The index of {name} must be an int64 (torch.long) tensor, but it is "
            f"{index_cpu.dtype}. Convert it with index.long().",
        ))
    if index_cpu.dim() != src_cpu.dim():
        raise ValueError(bilingual(
            f"{name} 要求 index 与 src 的维数相同，但 index 是 {index_cpu.dim()} 维，"
            f"src 是 {src_cpu.dim()} 维。",
            f"{name} needs index to have as many dimensions as src, but index has "
            f"{index_cpu.dim()} and src has {src_cpu.dim()}.",
        ))
    return src_cpu, _dim(dim, src_cpu.dim()), index_cpu


def draw_gather(src, dim, index, title=None, *, lang=None):
    """Draw torch.gather(src, dim, index): each output cell is linked (colour, note) to its source."""
    _check_lang(lang)
    src, dim, index = _index_args(src, dim, index, "torch.gather")
    try:
        out = torch.gather(src, dim, index)
        source = torch.gather(_positions(src.shape), dim, index).reshape(-1).tolist()
    except RuntimeError as error:
        raise ValueError(_torch_refused(f"torch.gather(src, {dim}, index)", error)) from error
    used = {p: PALETTE[k % len(PALETTE)] for k, p in enumerate(sorted(set(source)))}
    src_values, index_values, out_values = _values(src), _values(index), _values(out)

    sheet = _Sheet()
    x = 0.0
    w, _ = _panel(sheet, x, 0, [f"src  {_shape(src.shape)}"], src.shape,
                  lambda p: {"text": src_values[p], "face": used.get(p, "white"),
                             "gid": "source" if p in used else "cell"})
    x += w + 0.8
    w, _ = _panel(sheet, x, 0, [f"index  {_shape(index.shape)}  dim={dim}"], index.shape,
                  lambda p: {"text": index_values[p], "face": used[source[p]], "gid": "index-cell"})
    x += w + 0.8
    _panel(sheet, x, 0, [f"out  {_shape(out.shape)}"], out.shape,
           lambda p: {"text": out_values[p], "face": used[source[p]], "gid": "out",
                      "note": "←" + _where(source[p], src.shape)})
    _header(sheet, [_formula(src.dim(), dim, "out", "src"),
                    *_say_lines(lang, "out 格里的小字：这个值取自 src 的哪个位置",
                                "small text in an out cell: the position in src it was read from")])
    return sheet.finish(title)


def draw_scatter(src, dim, index, out, title=None, *, lang=None):
    """Draw out.scatter(dim, index, src): which output cell each source value lands in."""
    _check_lang(lang)
    src, dim, index = _index_args(src, dim, index, "scatter")
    before = _tensor(out, "out")
    try:
        after = before.scatter(dim, index, src)
        target = torch.gather(_positions(before.shape), dim, index).reshape(-1).tolist()
    except RuntimeError as error:
        raise ValueError(_torch_refused(f"out.scatter({dim}, index, src)", error)) from error
    # Only the src cells inside index's shape are sent; each has a colour and a target.
    sent = _positions(src.shape)[tuple(slice(0, s) for s in index.shape)].reshape(-1).tolist()
    colour = {p: PALETTE[k % len(PALETTE)] for k, p in enumerate(sent)}
    writers = {}
    for p, q in zip(sent, target):
        writers.setdefault(q, []).append(p)
    src_values, index_values = _values(src), _values(index)
    before_values, after_values = _values(before), _values(after)

    def landed(q):
        if q not in writers:
            return {"text": after_values[q]}
        if len(writers[q]) > 1:  # several writes: torch does not promise which one wins
            return {"text": after_values[q], "face": CLASH, "gid": "collision",
                    "note": f"×{len(writers[q])}"}
        p = writers[q][0]
        return {"text": after_values[q], "face": colour[p], "gid": "landed",
                "note": "←" + _where(p, src.shape)}

    sheet = _Sheet()
    x = 0.0
    for lines, shape, cell in (
        ([f"src  {_shape(src.shape)}"], src.shape,
         lambda p: {"text": src_values[p], "face": colour.get(p, "white"),
                    "gid": "source" if p in colour else "cell"}),
        ([f"index  {_shape(index.shape)}  dim={dim}"], index.shape,
         lambda p: {"text": index_values[p], "face": colour[sent[p]], "gid": "index-cell"}),
        ([f"out  {_shape(before.shape)}"], before.shape, lambda p: {"text": before_values[p]}),
        ([f"out.scatter({dim}, index, src)"], after.shape, landed),
    ):
        w, _ = _panel(sheet, x, 0, lines, shape, cell)
        x += w + 0.8
    lines = [_formula(src.dim(), dim, "out", "src", scatter=True),
             *_say_lines(lang, "最右边格里的小字：写进这一格的值原来在 src 的哪个位置",
                         "small text on the far right: the position in src of the value "
                         "written there")]
    if any(len(w) > 1 for w in writers.values()):
        lines += _say_lines(lang, "红格（×k）：k 个值写进同一格，PyTorch 不保证留下哪一个",
                            "red (×k): k values written into one cell; PyTorch does not promise "
                            "which one stays")
    _header(sheet, lines)
    return sheet.finish(title)


def draw_reshape(x, shape, title=None, *, lang=None):
    """Draw x and x.reshape(shape) over the same numbered row-major order 0..n-1."""
    _check_lang(lang)
    values_x = _tensor(x, "x")
    shape = _sizes(shape, "shape")
    try:
        y = x.reshape(shape)
    except RuntimeError as error:
        raise ValueError(bilingual(
            f"无法把形状 {_shape(x.shape)}（{x.numel()} 个元素）变成 {_shape(shape)}："
            f"新形状的各维相乘必须等于 {x.numel()}（最多一个 -1 让 PyTorch 推算）。",
            f"Cannot reshape shape {_shape(x.shape)} ({x.numel()} elements) into {_shape(shape)}: "
            f"the new sizes must multiply to {x.numel()} (at most one -1 for PyTorch to infer).",
        )) from error
    values_y = _tensor(y, "x.reshape(shape)")
    values, n = _values(values_x), values_x.numel()
    shared = y.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()

    def numbered(p):
        return {"text": values[p], "face": _gradient(p, n), "note": f"#{p}"}

    sheet = _Sheet()
    w, h1 = _panel(sheet, 0, 0, [f"x  {_shape(values_x.shape)}  stride {_shape(x.stride())}"],
                   values_x.shape, numbered)
    lines = [f"x.reshape{_shape(shape)} → {_shape(values_y.shape)}  stride {_shape(y.stride())}",
             *_say_lines(lang, "与 x 共享存储：" + ("是" if shared else "否（复制了）"),
                         "shares x's storage: " + ("yes" if shared else "no (copied)"))]
    _, h2 = _panel(sheet, w + 1.2, 0, lines, values_y.shape, numbered)
    sheet.arrow(w + 0.2, 1.6, w + 1.0, 1.6)
    top = max(h1, h2) + 0.4
    _, h = _lines(sheet, 0, top, _say_lines(lang, "按行展开的顺序 #0..#n-1（两种形状相同）",
                                            "row-major order #0..#n-1 (the same for both shapes)"))
    _strip(sheet, 0, top + h + 0.1, numbered, n)
    return sheet.finish(title)


def _element_positions(shape, strides, offset):
    """Each element's position in its storage (offset + sum of index * stride), row-major order.
    Computed with NumPy so that negative strides (NumPy's a[::-1]) work too."""
    shape = tuple(shape)
    positions = np.full(shape, offset, dtype=np.int64)
    for d, (size, stride) in enumerate(zip(shape, strides)):
        axis = [1] * len(shape)
        axis[d] = size
        positions = positions + np.arange(size).reshape(axis) * stride
    return positions.reshape(-1).tolist()


def draw_transpose(x, title=None, *, dim0=0, dim1=1, lang=None):
    """Draw x, x.transpose(dim0, dim1) and the storage strip: the transposed logical order jumps."""
    _check_lang(lang)
    values_x = _tensor(x, "x")
    if values_x.dim() < 2:
        raise ValueError(bilingual(
            f"转置需要至少 2 维的张量，但 x 的形状是 {_shape(x.shape)}。可以先用 x.reshape(...) 变成 2 维。",
            f"Transposing needs a tensor with at least 2 dimensions, but x has shape "
            f"{_shape(x.shape)}. Make it 2-d first with x.reshape(...).",
        ))
    dim0, dim1 = _dim(dim0, x.dim(), "dim0"), _dim(dim1, x.dim(), "dim1")
    xt = x.transpose(dim0, dim1)
    pos_x = _element_positions(x.shape, x.stride(), x.storage_offset())
    pos_t = _element_positions(xt.shape, xt.stride(), xt.storage_offset())
    low, high = min(pos_x), max(pos_x)
    if high - low + 1 > MAX_STORAGE:
        raise ValueError(bilingual(
            f"x 在存储里跨了 {high - low + 1} 个元素，太长了画不下（最多 {MAX_STORAGE}）。请用更小的张量。",
            f"x spans {high - low + 1} storage elements, too long to draw (at most {MAX_STORAGE}). "
            "Use a smaller tensor.",
        ))
    values_x, values_t = _values(values_x), _values(xt.detach().cpu())
    span = high - low + 1

    def by_storage(values, positions):
        return lambda p: {"text": values[p], "face": _gradient(positions[p] - low, span),
                          "note": f"@{positions[p]}"}

    sheet = _Sheet()
    name = "x.T" if x.dim() == 2 and dim0 != dim1 else f"x.transpose({dim0}, {dim1})"
    w, h1 = _panel(sheet, 0, 0, [f"x  {_shape(x.shape)}", f"stride {_shape(x.stride())}",
                                 f"is_contiguous() {x.is_contiguous()}"],
                   x.shape, by_storage(values_x, pos_x))
    _, h2 = _panel(sheet, w + 1.2, 0, [f"{name}  {_shape(xt.shape)}",
                                        f"stride {_shape(xt.stride())}",
                                        f"is_contiguous() {xt.is_contiguous()}"],
                    xt.shape, by_storage(values_t, pos_t))
    sheet.arrow(w + 0.2, 2.6, w + 1.0, 2.6)
    top = max(h1, h2) + 0.4
    storage_values = _values(x.detach().as_strided((span,), (1,), low).cpu())
    _lines(sheet, 0, top, [_say(lang, "存储（@ 后面是位置）", "storage (@ = position)")])
    for p in range(span):
        _cell(sheet, p, top + 0.6, text=storage_values[p], face=_gradient(p, span),
              note=f"@{low + p}", gid="storage")
    top += 2.0
    if xt.is_contiguous():
        lines = _say_lines(lang, f"按行读 {name} 时依次访问的存储位置",
                           f"reading {name} row by row visits these positions")
    else:
        lines = _say_lines(lang, f"按行读 {name} 时依次访问的存储位置：跳来跳去，所以不连续",
                           f"reading {name} row by row visits these positions: it jumps, "
                           "so it is not contiguous")
    _, h = _lines(sheet, 0, top, lines)
    for k, p in enumerate(pos_t):
        _cell(sheet, k, top + h + 0.1, text=f"@{p}", face=_gradient(p - low, span), gid="visit")
    return sheet.finish(title)


def _repeat_counts(shape, sizes):
    """The repeat() counts that give the same result shape as expand(sizes)."""
    new = len(sizes) - len(shape)
    counts = list(sizes[:new])
    for size, target in zip(shape, sizes[new:]):
        counts.append(target if size == 1 and target != -1 else 1)
    return tuple(counts)


def draw_expand_repeat(x, sizes, title=None, *, lang=None):
    """Draw x.expand(sizes) (stride 0, no copy: repeats drawn faded) next to the matching repeat()."""
    _check_lang(lang)
    values_x = _tensor(x, "x")
    sizes = _sizes(sizes)
    try:
        expanded = x.expand(sizes)
    except RuntimeError as error:
        raise ValueError(bilingual(
            f"x.expand{_shape(sizes)} 不行：形状 {_shape(x.shape)} 只有大小为 1 的维才能扩展，"
            "其他维要保持原来的大小（或写 -1）。",
            f"x.expand{_shape(sizes)} is not possible: of shape {_shape(x.shape)} only size-1 "
            "dimensions can grow; the others must keep their size (or be -1).",
        )) from error
    counts = _repeat_counts(tuple(x.shape), sizes)
    repeated = x.repeat(counts)
    _tensor(expanded, "x.expand(sizes)")
    n = values_x.numel()
    values = _values(values_x)
    source = _positions(values_x.shape).expand(expanded.shape).reshape(-1).tolist()
    first_or_faded = _faded_repeats(
        source, lambda q: {"text": values[q], "face": _gradient(q, n), "note": f"@{q}"})
    copies = _positions(values_x.shape).repeat(counts).reshape(-1).tolist()

    def copy(p):
        return {"text": values[copies[p]], "face": _gradient(copies[p], n), "note": f"@{p}",
                "gid": "copy"}

    sheet = _Sheet()
    x0 = 0.0
    for lines, shape, cell in (
        ([f"x  {_shape(x.shape)}", f"stride {_shape(x.stride())}"], x.shape,
         lambda p: {"text": values[p], "face": _gradient(p, n), "note": f"@{p}"}),
        ([f"x.expand{_shape(sizes)}", f"stride {_shape(expanded.stride())}",
          _say(lang, "不复制，共享 x 的存储", "no copy: x's storage")], expanded.shape,
         first_or_faded),
        ([f"x.repeat{_shape(counts)}", f"stride {_shape(repeated.stride())}",
          _say(lang, f"复制：新存储 {repeated.numel()} 个元素", f"copies: {repeated.numel()} new elements")],
         repeated.shape, copy),
    ):
        w, _ = _panel(sheet, x0, 0, lines, shape, cell)
        x0 += w + 0.9
    _header(sheet, _say_lines(lang, "@ = 在自己存储中的位置；阴影格 = 同一个存储元素的重复",
                              "@ = position in its own storage; hatched = the same storage "
                              "element again"), size=0.24)
    return sheet.finish(title)


def draw_cat_stack(tensors, dim=0, title=None, *, lang=None):
    """Draw torch.cat(tensors, dim) next to torch.stack(tensors, dim), cells coloured by origin."""
    _check_lang(lang)
    if isinstance(tensors, torch.Tensor) or not isinstance(tensors, (list, tuple)) or not tensors:
        raise TypeError(bilingual(
            "tensors 应该是张量组成的列表或元组，例如 [a, b]。",
            "tensors should be a list or tuple of tensors, e.g. [a, b].",
        ))
    cpu = [_tensor(t, f"tensors[{k}]", max_dims=2) for k, t in enumerate(tensors)]
    _dim(dim, cpu[0].dim() + 1)  # stack accepts one more dim than cat
    origins = [torch.full(tuple(t.shape), k) for k, t in enumerate(cpu)]

    sheet = _Sheet()
    x, top = 0.0, 0.0
    for k, t in enumerate(cpu):
        values = _values(t)
        w, h = _panel(sheet, x, 0, [f"tensors[{k}]  {_shape(t.shape)}"], t.shape,
                      lambda p, values=values, k=k: {"text": values[p], "face": PALETTE[k % 10]})
        x, top = x + w + 0.8, max(top, h + 0.6)
    x = 0.0
    for name, join in (("cat", torch.cat), ("stack", torch.stack)):
        call = f"torch.{name}(tensors, dim={dim})"
        try:
            result, origin = join(cpu, dim), join(origins, dim).reshape(-1).tolist()
        except (RuntimeError, IndexError) as error:
            w, _ = _note_error(sheet, x, top, [call, *_join_failure(name, error, lang)])
            x += w + 0.9
            continue
        values = _values(_tensor(result, call))
        w, _ = _panel(sheet, x, top, [call, f"→ {_shape(result.shape)}"], result.shape,
                      lambda p, values=values, origin=origin: {
                          "text": values[p], "face": PALETTE[origin[p] % 10], "gid": name})
        x += w + 0.9
    return sheet.finish(title)


def _join_failure(name, error, lang):
    """Why torch.cat or torch.stack refused, as lines to write in red."""
    if isinstance(error, IndexError):
        return _say_lines(lang, "出错：dim 超出范围（cat 的 dim 比 stack 少一个可选值）",
                          "fails: dim out of range (cat accepts one dim fewer than stack)")
    if name == "cat":
        return _say_lines(lang, "出错：除了 dim 这一维，其他维的大小必须相同",
                          "fails: sizes must match except along dim")
    return _say_lines(lang, "出错：所有张量的形状必须完全相同", "fails: all shapes must be equal")


def _operand(value, name):
    """(shape, CPU tensor or None) for a broadcast operand given as a tensor or a shape."""
    if torch.is_tensor(value) or isinstance(value, np.ndarray):
        t = torch.as_tensor(value)
        return tuple(t.shape), t
    return _sizes(value, name), None


def _broadcast_shape(sa, sb):
    """(result shape, clashing dims counted from the end, e.g. [-1]) of two shapes."""
    n = max(len(sa), len(sb))
    pa, pb = (1,) * (n - len(sa)) + sa, (1,) * (n - len(sb)) + sb
    result, clashes = [], []
    for d, (p, q) in enumerate(zip(pa, pb)):
        if p != q and 1 not in (p, q):
            clashes.append(d - n)
        result.append(max(p, q) if 1 in (p, q) else p)
    return tuple(result), clashes


def _shape_row(sheet, x, y, label, shape, n, result, clashes):
    """One row of the alignment table: the shape's sizes right-aligned in n columns."""
    sheet.text(x, y + 0.5, label, size=0.3, ha="left", gid="caption")
    left = x + 2.6 + (n - len(shape))
    for k in range(n - len(shape)):  # a missing leading dim counts as 1, and is stretched too
        _cell(sheet, x + 2.6 + k, y, "1", gid="padded", face=FADED if result[k] != 1 else "white",
              color=GREY, edge="#bbbbbb")
    for d, size in enumerate(shape):
        from_end = d - len(shape)
        if from_end in clashes:
            _cell(sheet, left + d, y, str(size), gid="clash", face=CLASH)
        elif size == 1 and result[from_end] != 1:
            _cell(sheet, left + d, y, str(size), gid="stretched", face=FADED, hatch="///")
        else:
            _cell(sheet, left + d, y, str(size))


def draw_broadcast(a, b, title=None, *, op="+", lang=None):
    """Draw how shapes a and b (tensors or shapes) broadcast, or which dimension clashes.

    Size-1 dimensions are stretched: the copies are drawn faded and hatched. For tensors the
    values of `a op b` are shown. A failing pair is drawn with the clashing dimension marked.
    """
    _check_lang(lang)
    if op not in OPS:
        raise ValueError(bilingual(f"op 只能是 {list(OPS)} 之一，但传入的是 {op!r}。",
                                   f"op must be one of {list(OPS)}, but got {op!r}."))
    sa, ta = _operand(a, "a")
    sb, tb = _operand(b, "b")
    result, clashes = _broadcast_shape(sa, sb)
    n = len(result)

    sheet = _Sheet()
    _lines(sheet, 0, 0, [_say(lang, "从最后一维开始对齐", "align from the last dimension")])
    for row, (label, shape) in enumerate((("a", sa), ("b", sb))):
        _shape_row(sheet, 0, 0.6 + 1.2 * row, label, shape, n, result, clashes)
    y = 3.0
    sheet.text(0, y + 0.5, _say(lang, "结果", "result"), size=0.3, ha="left")
    for d, size in enumerate(result):
        if d - n in clashes:
            _cell(sheet, 2.6 + d, y, "?", gid="clash", face=CLASH)
        else:
            _cell(sheet, 2.6 + d, y, str(size), gid="result-size")
    y += 1.5
    if clashes:
        d = clashes[0]
        _note_error(sheet, 0, y, _say_lines(
            lang, f"无法广播：倒数第 {-d} 维（dim {d}）的大小 {sa[d]} 和 {sb[d]} 不同，且都不是 1",
            f"cannot broadcast: dim {d} has sizes {sa[d]} and {sb[d]}, which differ and neither is 1"))
        return sheet.finish(title)
    if n > 3 or any(s > MAX_SIDE for s in result) or math.prod(result) > MAX_CELLS:
        _lines(sheet, 0, y, [_say(lang, f"结果形状 {_shape(result)}", f"result shape {_shape(result)}")])
        return sheet.finish(title)
    x = 0.0
    for name, shape, t in (("a", sa, ta), ("b", sb, tb)):
        w, _ = _panel(sheet, x, y, [f"{name} {_shape(shape)} → {_shape(result)}"], result,
                      _stretched(shape, result, t))
        x += w + 0.9
    values = None
    if ta is not None and tb is not None:
        values = _values(OPS[op](ta.detach().cpu(), tb.detach().cpu()))
    _panel(sheet, x, y, [f"a {op} b  {_shape(result)}"], result,
           lambda p: {"text": values[p] if values else "", "gid": "result"})
    return sheet.finish(title)


def _stretched(shape, result, t):
    """Cell keywords for an operand stretched to the result shape: copies faded and hatched."""
    padded = (1,) * (len(result) - len(shape)) + tuple(shape)
    source = _positions(padded).expand(result).reshape(-1).tolist()
    values = _values(t.detach().cpu()) if t is not None else None
    return _faded_repeats(source, lambda q: {"text": values[q] if values else "",
                                             "face": "#fff3c4", "gid": "original"})


def draw_reduction(x, op="sum", dim=0, keepdim=False, title=None, *, lang=None):
    """Draw which cells x.op(dim) combines (same colour = one result) and the results with and
    without keepdim; for max/min the winning cells are framed."""
    _check_lang(lang)
    values_x = _tensor(x, "x")
    if op not in REDUCTIONS:
        raise ValueError(bilingual(f"op 只能是 {list(REDUCTIONS)} 之一，但传入的是 {op!r}。",
                                   f"op must be one of {list(REDUCTIONS)}, but got {op!r}."))
    ndim = values_x.dim()
    dims = tuple(range(ndim)) if dim is None else (dim,) if isinstance(dim, int) else tuple(dim)
    dims = tuple(sorted({_dim(d, ndim) for d in dims}))
    try:
        kept, winners = _reduce(values_x, op, dims, dim)
    except RuntimeError as error:
        raise ValueError(bilingual(
            f"x.{op}(...) 不能用于 {values_x.dtype} 的张量：{error}。"
            "如果是 mean，请先用 x.float() 转成浮点数。",
            f"x.{op}(...) does not work on a {values_x.dtype} tensor: {error}. "
            "For mean, convert with x.float() first.",
        )) from error
    squeezed = kept.reshape([s for d, s in enumerate(kept.shape) if d not in dims])
    group = _positions(kept.shape).expand(values_x.shape).reshape(-1).tolist()
    values, kept_values = _values(values_x), _values(kept)

    sheet = _Sheet()
    call = f"x.{op}(dim={dim if dim is None or isinstance(dim, int) else tuple(dim)})"
    w, _ = _panel(sheet, 0, 0, [f"x  {_shape(values_x.shape)}",
                                _say(lang, "同色的格合成一个结果", "same colour: one result")],
                  values_x.shape, lambda p: {"text": values[p], "face": PALETTE[group[p] % 10],
                                             "frame": "winner" if p in winners else None})
    x0 = w + 0.9
    for keep, shape in ((False, squeezed.shape), (True, kept.shape)):
        lines = [f"{call[:-1]}, keepdim={keep})", f"→ {_shape(shape)}"]
        style = {"weight": "bold"} if keep == keepdim else {}
        _lines(sheet, x0, 0, lines, **style)
        bw, _ = _block(sheet, x0, 1.1, shape,
                       lambda p: {"text": kept_values[p], "face": PALETTE[p % 10], "gid": "reduced"})
        x0 += max(bw, _text_width(lines[0], 0.28)) + 0.9
    reduced = ", ".join(map(str, dims))
    _header(sheet, _say_lines(lang, f"沿第 {reduced} 维归约：这一维消失（keepdim=True 时保留为大小 1）",
                              f"reduces dim {reduced}: it disappears "
                              "(kept as size 1 with keepdim=True)"))
    return sheet.finish(title)


def _reduce(t, op, dims, dim):
    """The keepdim=True result of t.op over dims, and the flat positions of max/min winners."""
    if op in ("max", "min") and isinstance(dim, int):
        kept, where = getattr(torch, op)(t, dim, keepdim=True)
        picked = torch.gather(_positions(t.shape), dim, where)
        return kept, set(picked.reshape(-1).tolist())
    if op in ("max", "min"):
        return getattr(torch, "a" + op)(t, dim=dims, keepdim=True), set()
    if op == "prod":
        kept = t
        for d in dims:
            kept = kept.prod(d, keepdim=True)
        return kept, set()
    return getattr(torch, op)(t, dim=dims, keepdim=True), set()



# ---------------------------------------------------------------- storage


def _memory(obj, name):
    """Where a tensor or NumPy array lives: its storage (start, bytes), element size, offset and
    strides in elements, shape, and a function giving its storage's values. Addresses are only
    compared with each other, never drawn."""
    if torch.is_tensor(obj):
        t = obj.detach()
        storage = t.untyped_storage()
        n = storage.nbytes() // t.element_size()
        return {"start": storage.data_ptr(), "nbytes": storage.nbytes(), "item": t.element_size(),
                "offset": t.storage_offset(), "strides": tuple(t.stride()), "shape": tuple(t.shape),
                "dtype": str(t.dtype).replace("torch.", ""),
                "values": lambda: _values(t.as_strided((n,), (1,), 0).cpu())}
    if isinstance(obj, np.ndarray):
        root = obj
        while isinstance(root.base, np.ndarray):
            root = root.base
        start, item = root.__array_interface__["data"][0], obj.itemsize
        n = root.nbytes // item
        return {"start": start, "nbytes": root.nbytes, "item": item,
                "offset": (obj.__array_interface__["data"][0] - start) // item,
                "strides": tuple(s // item for s in obj.strides), "shape": tuple(obj.shape),
                "dtype": str(obj.dtype),
                "values": lambda: [_fmt(v) for v in
                                   np.lib.stride_tricks.as_strided(root, (n,), (item,)).tolist()]}
    raise TypeError(bilingual(
        f"{name} 应该是张量或 NumPy 数组，但传入的是 {type(obj).__name__}。",
        f"{name} should be a tensor or a NumPy array, but got {type(obj).__name__}.",
    ))


def _strips(named):
    """Group (label, memory) pairs by the storage they live in; the first memory founds strip A."""
    strips = []
    for label, memory in named:
        positions = _element_positions(memory["shape"], memory["strides"], memory["offset"])
        addresses = [memory["start"] + p * memory["item"] for p in positions]
        low, high = min(addresses, default=memory["start"]), max(addresses, default=memory["start"])
        home = next((s for s in strips if s["start"] <= low and high < s["start"] + s["nbytes"]), None)
        if home is None:
            home = {"start": memory["start"], "nbytes": memory["nbytes"], "item": memory["item"],
                    "dtype": memory["dtype"], "values": memory["values"], "rows": []}
            strips.append(home)
        home["rows"].append((label, memory, [(a - home["start"]) // home["item"] for a in addresses]))
    return strips


def _window(sheet, x, y, length, positions, colour):
    """One tensor's window on a storage strip: the cells it uses, numbered in its logical order."""
    uses = {}
    for k, p in enumerate(positions):
        uses.setdefault(p, []).append(k)
    for p in range(length):
        if p not in uses:
            sheet.rect(x + p, y, gid="unused", face="white", edge="#cccccc")
            continue
        ks = uses[p]
        text = ",".join(map(str, ks)) if len(ks) <= 3 else f"{ks[0]}..(×{len(ks)})"
        _cell(sheet, x + p, y, text, gid="window", face=colour if len(ks) == 1 else FADED,
              hatch=None if len(ks) == 1 else "///")


def draw_storage(base, views, title=None, *, base_label="base", lang=None):
    """Draw the storage under `base` as a strip of cells and each tensor of `views` ({label:
    tensor or array}) as a window on it, with its shape, strides and storage offset. A tensor on
    another storage (e.g. a clone) gets its own strip. Works for NumPy arrays and from_numpy
    tensors that share one buffer.
    """
    _check_lang(lang)
    if not isinstance(views, dict):
        raise TypeError(bilingual(
            f"views 应该是 {{名字: 张量}} 字典，例如 {{'y = x[1:]': x[1:]}}，但传入的是 {type(views).__name__}。",
            f"views should be a dict {{label: tensor}}, e.g. {{'y = x[1:]': x[1:]}}, but got "
            f"{type(views).__name__}.",
        ))
    named = [(base_label, _memory(base, "base"))]
    named += [(str(label), _memory(v, f"views[{label!r}]")) for label, v in views.items()]
    strips = _strips(named)
    for strip in strips:
        if strip["nbytes"] // strip["item"] > MAX_STORAGE:
            raise ValueError(bilingual(
                f"有一块存储有 {strip['nbytes'] // strip['item']} 个元素，太长了画不下（最多 {MAX_STORAGE}）。"
                "请用更小的张量演示。",
                f"One storage holds {strip['nbytes'] // strip['item']} elements, too long to draw "
                f"(at most {MAX_STORAGE}). Use a smaller tensor to show this.",
            ))

    sheet = _Sheet()
    y, colours = 0.0, iter(PALETTE * 10)
    for k, strip in enumerate(strips):
        length, name = strip["nbytes"] // strip["item"], "ABCDEFGH"[k % 8]
        heading = _say(lang, f"存储 {name}：{length} 个 {strip['dtype']} 元素",
                       f"storage {name}: {length} × {strip['dtype']}")
        if k > 0:
            heading += "  " + _say(lang, "（另一块存储）", "(another storage)")
        _lines(sheet, 0, y, [heading], weight="bold")
        values = strip["values"]()
        _strip(sheet, 0, y + 0.6, lambda p: {"text": values[p], "gid": "storage"}, length)
        y += 2.4
        for label, memory, positions in strip["rows"]:
            offset = positions[0] if positions else memory["offset"]
            _lines(sheet, 0, y, [f"{label}   {_say(lang, '形状', 'shape')} {_shape(memory['shape'])}"
                                 f"   stride {_shape(memory['strides'])}   offset {offset}"])
            _window(sheet, 0, y + 0.55, length, positions, next(colours))
            y += 1.9
        y += 0.3
    _lines(sheet, 0, y - 0.2, _say_lines(lang, "窗口里的数字：按行读这个张量时的顺序",
                                         "numbers in a window: the order when reading that tensor "
                                         "row by row"), size=0.24, color=GREY)
    return sheet.finish(title)


# ---------------------------------------------------------------- creating tensors (chapter 1)


RGB = ("#f4a6a6", "#a8d8a0", "#a6c8f4")  # light red, green and blue for the channels of an image
MAX_POINTS = 21                          # most points on one number line


def _dot(sheet, x, y, *, gid, filled=True, edge=EDGE, radius=0.17):
    """A point on a number line: filled, or open (a value the interval leaves out)."""
    from matplotlib.patches import Circle

    sheet.axes.add_patch(Circle((x, y), radius, facecolor=edge if filled else "white",
                                edgecolor=edge, linewidth=1.5, gid=gid, zorder=3))
    sheet.include(x - radius, y - radius, x + radius, y + radius)


def _number(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(bilingual(f"{name} 应该是一个有限的数，但传入的是 {value!r}。",
                                  f"{name} should be a finite number, but got {value!r}."))
    return value


def draw_arange_linspace(start, end, step, steps, title=None, *, lang=None):
    """Draw torch.arange(start, end, step) above torch.linspace(start, end, steps) on the same
    number line. arange stops before end (an open circle marks the excluded end; when a
    fractional step brings the end along anyway, that point is framed in red); linspace puts
    `steps` points on both ends, with the steps - 1 gaps numbered.
    """
    _check_lang(lang)
    start, end, step = _number(start, "start"), _number(end, "end"), _number(step, "step")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
        raise ValueError(bilingual(f"steps 应该是不小于 2 的整数（点的个数），但传入的是 {steps!r}。",
                                   f"steps should be an integer of at least 2 (a number of "
                                   f"points), but got {steps!r}."))
    if not (step > 0 and end > start):
        raise ValueError(bilingual("这里只画 step > 0 且 end > start 的情形。",
                                   "This picture needs step > 0 and end > start."))
    count = math.ceil((end - start) / step)  # what arange will make, before making it
    if max(count, steps) > MAX_POINTS:
        raise ValueError(bilingual(
            f"点太多了，画出来看不清（最多 {MAX_POINTS} 个）：arange 有 {count} 个，"
            f"linspace 有 {steps} 个。请加大 step 或减少 steps。",
            f"Too many points to read (at most {MAX_POINTS}): arange has {count}, linspace "
            f"{steps}. Use a larger step or fewer steps."))
    arange = torch.arange(start, end, step).tolist()
    linspace = torch.linspace(start, end, steps).tolist()
    length = min(16.0, max(7.0, 1.2 * (max(len(arange), steps) - 1)))

    def at(value):
        return 1.0 + (value - start) / (end - start) * length

    def number_line(y, values, gid, closed):
        sheet.rect(at(start), y - 0.02, length, 0.04, gid="axis", face=EDGE, edge=EDGE)
        sheet.text(at(start) - 0.45, y, "[", size=0.5, gid="bracket")
        sheet.text(at(end) + 0.45, y, "]" if closed else ")", size=0.5, gid="bracket")
        for value in values:
            _dot(sheet, at(value), y, gid=gid)
            sheet.text(at(value), y + 0.5, _fmt(value), size=0.22, gid="value", color=GREY)

    sheet = _Sheet()
    ends_at_end = bool(arange) and math.isclose(arange[-1], end, rel_tol=1e-6, abs_tol=1e-9)
    _lines(sheet, 0, 0, [f"torch.arange({start}, {end}, {step})  →  numel() = {len(arange)}"], weight="bold")
    if ends_at_end:
        note = _say_lines(lang, "红框：终点本不该出现，是浮点步长把它带了进来",
                          "red frame: the end should be left out; the fractional step brought it in")
    else:
        note = _say_lines(lang, "半开区间：空心圆是取不到的终点", "half-open: the open circle is the "
                          "end, which is left out")
    _, h = _lines(sheet, 0, 0.5, note, color=GREY)
    y = 0.5 + h + 0.5
    number_line(y, arange, "arange", closed=False)
    if ends_at_end:
        sheet.rect(at(end) - 0.3, y - 0.3, 0.6, 0.6, gid="trap", face="none", edge=ERROR_RED,
                   linewidth=2.0)
    else:
        _dot(sheet, at(end), y, gid="excluded", filled=False)

    y += 1.3
    _lines(sheet, 0, y, [f"torch.linspace({start}, {end}, {steps})  →  numel() = {steps}"], weight="bold")
    _, h = _lines(sheet, 0, y + 0.5, _say_lines(
        lang, f"闭区间：两端都在，{steps} 个点之间只有 {steps - 1} 段（段号写在上方）",
        f"closed: both ends are in, and {steps} points leave {steps - 1} gaps (numbered above)"),
        color=GREY)
    y += 0.5 + h + 0.8
    for k, (left, right) in enumerate(zip(linspace, linspace[1:]), start=1):
        sheet.text((at(left) + at(right)) / 2, y - 0.4, str(k), size=0.22, gid="gap", color=EDGE)
    number_line(y, linspace, "linspace", closed=True)
    return sheet.finish(title)


def _buffer(obj):
    """(where, first byte, last byte + 1) of the memory block a tensor or array lives in."""
    if torch.is_tensor(obj):
        storage = obj.untyped_storage()
        return str(obj.device), storage.data_ptr(), storage.data_ptr() + storage.nbytes()
    root = obj
    while isinstance(root.base, np.ndarray):
        root = root.base
    start = root.__array_interface__["data"][0]
    return "cpu", start, start + root.nbytes


def _flat_values(obj, name):
    if not (torch.is_tensor(obj) or isinstance(obj, np.ndarray)):
        raise TypeError(bilingual(
            f"{name} 应该是张量或 NumPy 数组，但传入的是 {type(obj).__name__}。",
            f"{name} should be a tensor or a NumPy array, but got {type(obj).__name__}."))
    flat = torch.as_tensor(obj).detach().reshape(-1).cpu()
    if flat.numel() == 0:
        raise ValueError(bilingual(f"{name} 是空的，没有可画的元素。", f"{name} is empty: nothing to draw."))
    if flat.numel() > MAX_SIDE:
        raise ValueError(bilingual(
            f"{name} 有 {flat.numel()} 个元素，太多了（最多 {MAX_SIDE}）。请用更小的例子。",
            f"{name} has {flat.numel()} elements, too many (at most {MAX_SIDE}). Use a smaller example."))
    return _values(flat), str(flat.dtype).replace("torch.", "")


def draw_copy_or_share(source, results, title=None, *, source_label="source", lang=None):
    """Draw, for each entry of `results` ({label: tensor or array}), whether it is `source`
    itself, a new tensor sharing source's memory, or a copy. This is checked when the picture is
    drawn, by comparing memory addresses (what data_ptr() returns), never assumed. Values are
    drawn flattened, so a change made to source beforehand shows up in every row that shares it.
    """
    _check_lang(lang)
    if not isinstance(results, dict) or not results:
        raise TypeError(bilingual(
            "results 应该是 {名字: 张量} 字典，例如 {'torch.tensor(a)': torch.tensor(a)}。",
            "results should be a dict {label: tensor}, e.g. {'torch.tensor(a)': torch.tensor(a)}."))
    source_values, source_dtype = _flat_values(source, source_label)
    where, low, high = _buffer(source)
    rows = []
    for label, obj in results.items():
        values, dtype = _flat_values(obj, f"results[{label!r}]")
        there, start, stop = _buffer(obj)
        if obj is source:
            kind = "same"
        elif there == where and start < high and low < stop:
            kind = "shared"
        else:
            kind = "copied"
        rows.append((str(label), values, dtype, kind))
    verdicts = {
        "same": ("就是它本身（is 为 True）", "the very same object (is)"),
        "shared": ("新对象，但用同一块内存", "a new object in the same memory"),
        "copied": ("复制：另一块内存", "a copy in other memory"),
    }

    sheet = _Sheet()
    _header(sheet, _say_lines(lang, f"黄色：数据在 {source_label} 的那块内存里（画图时比较 data_ptr 得出）",
                              f"yellow: the data lives in the memory of {source_label} (checked by "
                              "comparing data_ptr when drawn)"), size=0.26)
    label_width = max(_text_width(label, 0.3) for label in [source_label] + [r[0] for r in rows])
    cells_x = label_width + 0.4
    width = max(len(source_values), *(len(r[1]) for r in rows))
    dtype_x = cells_x + width + 0.3
    verdict_x = dtype_x + 1.6
    y = 0.0
    for label, values, dtype, kind in [(source_label, source_values, source_dtype, "source")] + rows:
        sheet.text(0, y + 0.5, label, size=0.3, ha="left", gid="label")
        for p, text in enumerate(values):
            _cell(sheet, cells_x + p, y, text, gid=kind, face="white" if kind == "copied" else PICKED)
        sheet.text(dtype_x, y + 0.5, dtype, size=0.26, ha="left", gid="dtype", color=GREY)
        if kind in verdicts:
            lines = _say_lines(lang, *verdicts[kind])
            for k, line in enumerate(lines):
                sheet.text(verdict_x, y + 0.5 + 0.38 * (k - (len(lines) - 1) / 2), line, size=0.26,
                           ha="left", gid="verdict",
                           color=ERROR_RED if kind == "copied" else "black")
        y += 1.3 if kind != "source" else 1.6
    return sheet.finish(title)


def draw_image_stack(image, title=None, *, lang=None):
    """Draw a (C, H, W) image as C matrices of H×W stacked one behind the other: channel 0 in
    front with its values, the others peeking out behind it (red, green, blue when C is 3)."""
    _check_lang(lang)
    values_img = _tensor(image, "image")
    if values_img.dim() != 3 or values_img.shape[0] > 8:
        raise ValueError(bilingual(
            f"image 应该是 (C, H, W) 三维张量、C 不超过 8，但它的形状是 {_shape(values_img.shape)}。",
            f"image should be a 3-d (C, H, W) tensor with C at most 8, but its shape is "
            f"{_shape(values_img.shape)}."))
    channels, rows, cols = values_img.shape
    colours = RGB if channels == 3 else PALETTE
    names = ("R", "G", "B") if channels == 3 else ("",) * channels
    front = _values(values_img[0])
    d = 0.45  # how far each channel sits behind the one in front of it

    sheet = _Sheet()
    _header(sheet, _say_lines(lang, "C、H、W 依次是第 0、1、2 维：image[c] 是一个 H×W 的矩阵",
                              "C, H and W are dims 0, 1 and 2: image[c] is one H×W matrix"))
    x0, y0 = 1.2, (channels - 1) * d + 0.3
    for c in reversed(range(channels)):
        for i in range(rows):
            for j in range(cols):
                x, y = x0 + c * d + j, y0 - c * d + i
                if c == 0:
                    _cell(sheet, x, y, front[i * cols + j], gid="front", face=colours[0])
                else:
                    sheet.rect(x, y, gid="behind", face=colours[c % len(colours)])
        sheet.text(x0 + cols + (channels - 1) * d + 0.25, y0 - c * d + 0.2,
                   f"image[{c}] {names[c]}".rstrip(), size=0.26, ha="left", gid="channel")
    sheet.text(x0 - 0.25, y0 + rows / 2, f"H = {rows}", size=0.28, ha="right", gid="axis")
    sheet.text(x0 + cols / 2, y0 + rows + 0.4, f"W = {cols}", size=0.28, gid="axis")
    corner_x, corner_y = x0 + cols, y0 + rows
    if channels > 1:
        sheet.arrow(corner_x + 0.1, corner_y + 0.1, corner_x + (channels - 1) * d + 0.1,
                    corner_y - (channels - 1) * d + 0.1)
    sheet.text(corner_x + (channels - 1) * d + 0.3, corner_y - (channels - 1) * d / 2 + 0.2,
               f"C = {channels}", size=0.28, ha="left", gid="axis")
    return sheet.finish(title)
