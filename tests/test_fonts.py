import io
import warnings

import matplotlib
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from helpers import fonts
from helpers.fonts import use_chinese_font


@pytest.fixture(autouse=True)
def restore_rc_params():
    with matplotlib.rc_context():
        yield


def glyph_warnings_when_drawing_chinese() -> list[str]:
    figure = Figure()
    FigureCanvasAgg(figure)  # draw with Agg whatever backend pyplot uses
    axes = figure.subplots()
    axes.set_title("计算图：损失下降")
    axes.set_xlabel("步数 step")
    axes.set_ylabel("损失 loss")
    axes.plot([0, 1, 2], [1.0, -0.5, 0.25])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(io.BytesIO(), format="png")
    return [str(warning.message) for warning in caught if "missing from font" in str(warning.message)]


def test_chinese_text_renders_without_missing_glyphs():
    family = use_chinese_font()
    assert family in fonts.CHINESE_FONTS
    assert matplotlib.rcParams["font.sans-serif"][0] == family
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    assert glyph_warnings_when_drawing_chinese() == []


def test_the_check_detects_missing_glyphs():
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = ["DejaVu Sans"]
    assert glyph_warnings_when_drawing_chinese() != []


def test_calling_twice_keeps_one_entry():
    family = use_chinese_font()
    use_chinese_font()
    assert matplotlib.rcParams["font.sans-serif"].count(family) == 1


def test_no_chinese_font_explains_how_to_install(monkeypatch):
    monkeypatch.setattr(fonts, "CHINESE_FONTS", ("No Such Font",))
    with pytest.raises(RuntimeError) as error:
        use_chinese_font()
    message = str(error.value)
    assert "没有找到可以显示中文的字体" in message and "No font that can show Chinese" in message
    assert "sudo apt-get install fonts-noto-cjk" in message
    assert "conda install -c conda-forge font-ttf-noto-cjk" in message
    assert "PingFang SC" in message


def test_a_font_installed_after_the_cache_was_built_is_found(monkeypatch):
    from matplotlib import font_manager

    class StaleCache:
        ttflist = []

    monkeypatch.setattr(font_manager, "fontManager", StaleCache())
    assert use_chinese_font() in fonts.CHINESE_FONTS
