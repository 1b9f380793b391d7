"""Make matplotlib draw Chinese text instead of empty boxes."""

import matplotlib
from matplotlib import font_manager

from helpers.text import bilingual

# Common CJK sans-serif families on Linux, macOS and Windows, simplified Chinese first.
CHINESE_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "STHeiti",
    "Microsoft YaHei",
    "SimHei",
    "Noto Serif CJK SC",
)


def _first_installed():
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CHINESE_FONTS if name in installed), None)


def use_chinese_font() -> str:
    """Put the first installed Chinese font in front of matplotlib's sans-serif list; return its name."""
    family = _first_installed()
    if family is None:
        # The font may have been installed after matplotlib cached its font list: rescan once.
        font_manager.fontManager = font_manager._load_fontmanager(try_read_cache=False)
        family = _first_installed()
    if family is None:
        raise RuntimeError(bilingual(
            "没有找到可以显示中文的字体，图中的中文会变成方框。请安装一种中文字体，"
            "然后删除 matplotlib 的字体缓存并重启内核：\n"
            "  Debian/Ubuntu: sudo apt-get install fonts-noto-cjk\n"
            "  conda: conda install -c conda-forge font-ttf-noto-cjk\n"
            "  macOS 自带 PingFang SC；Windows 自带 Microsoft YaHei。\n"
            f"  字体缓存目录：{matplotlib.get_cachedir()}",
            "No font that can show Chinese was found, so Chinese text in figures would be empty "
            "boxes. Install a Chinese font, then delete matplotlib's font cache and restart the kernel:\n"
            "  Debian/Ubuntu: sudo apt-get install fonts-noto-cjk\n"
            "  conda: conda install -c conda-forge font-ttf-noto-cjk\n"
            "  macOS ships PingFang SC; Windows ships Microsoft YaHei.\n"
            f"  Font cache folder: {matplotlib.get_cachedir()}",
        ))
    others = [name for name in matplotlib.rcParams["font.sans-serif"] if name != family]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [family, *others]
    # Many CJK fonts lack the Unicode minus sign; use the ASCII hyphen for negative numbers.
    matplotlib.rcParams["axes.unicode_minus"] = False
    return family
