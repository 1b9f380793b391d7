#!/usr/bin/env bash
# Makes sure the two things pip cannot install are present: Graphviz's `dot` program (draws
# autograd graphs) and a font with Chinese glyphs (plots and graphs without missing-glyph boxes).
# Installs them with apt-get when we are root on Debian/Ubuntu; otherwise explains how.
set -euo pipefail

have_dot() { command -v dot >/dev/null 2>&1; }
have_cjk_font() {
    if command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null)" ]; then
        return 0
    fi
    # macOS ships PingFang / Heiti without fontconfig.
    ls /System/Library/Fonts/PingFang.ttc /System/Library/Fonts/STHeiti*.ttc >/dev/null 2>&1
}

if have_dot && have_cjk_font; then
    exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "正在安装 Graphviz 与中文字体 / Installing Graphviz and a Chinese font (apt-get)..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends graphviz fonts-noto-cjk fontconfig >/dev/null
    fc-cache -f >/dev/null 2>&1 || true
fi

if have_dot && have_cjk_font; then
    exit 0
fi

missing=""
have_dot || missing="$missing Graphviz(dot)"
have_cjk_font || missing="$missing 中文字体/Chinese-font"
cat >&2 <<MSG
缺少系统组件：${missing}
请先安装它们，然后重新运行 make：
  Debian/Ubuntu:  sudo apt-get install graphviz fonts-noto-cjk
  macOS:          brew install graphviz        （macOS 自带中文字体 PingFang）
  conda:          conda install -c conda-forge graphviz font-ttf-noto-cjk

Missing system components:${missing}
Install them, then run make again:
  Debian/Ubuntu:  sudo apt-get install graphviz fonts-noto-cjk
  macOS:          brew install graphviz        (macOS already ships the PingFang Chinese font)
  conda:          conda install -c conda-forge graphviz font-ttf-noto-cjk
MSG
exit 1
