#!/usr/bin/env bash
# Makes sure the two things pip cannot install are present: Graphviz's `dot` program (draws
# autograd graphs) and a font with Chinese glyphs (plots and graphs without missing-glyph boxes).
# Installs them with apt-get when we are root on Debian/Ubuntu; otherwise explains how.
# On Linux also bubblewrap (`bwrap`), which sandboxes each submission's kernel when grading
# (autograder/instructor/sandbox.py); without it grading still works, unsandboxed: a warning.
# And Chromium, the browser tests/test_browser.py drives: without it that test is skipped (a
# warning here), except under CI, where it fails.
# `system-deps.sh hub` (make hub): Node.js and npm instead, for JupyterHub's proxy, and patchelf
# (scripts/hub/setup.py may copy the course's Python where every user can run it).
set -euo pipefail

if [ "${1:-}" = hub ]; then
    missing=""
    command -v node >/dev/null 2>&1 || missing="$missing nodejs"
    command -v npm >/dev/null 2>&1 || missing="$missing npm"
    command -v patchelf >/dev/null 2>&1 || missing="$missing patchelf"
    [ -z "$missing" ] && exit 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "正在安装 / Installing (apt-get):$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
        exit 0
    fi
    cat >&2 <<MSG
缺少$missing：make hub 需要它们（JupyterHub 的代理 configurable-http-proxy 用 Node.js 运行）。请安装后重新运行 make hub：
  Debian/Ubuntu:  sudo apt-get install$missing
Missing:$missing. make hub needs them (JupyterHub's proxy, configurable-http-proxy, runs on
Node.js). Install them, then run make hub again:
  Debian/Ubuntu:  sudo apt-get install$missing
MSG
    exit 1
fi

have_dot() { command -v dot >/dev/null 2>&1; }
have_cjk_font() {
    if command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null)" ]; then
        return 0
    fi
    # macOS ships PingFang / Heiti without fontconfig.
    ls /System/Library/Fonts/PingFang.ttc /System/Library/Fonts/STHeiti*.ttc >/dev/null 2>&1
}
# Only Linux has the namespaces bubblewrap needs; elsewhere there is nothing to install.
have_bwrap() { [ "$(uname -s)" != Linux ] || command -v bwrap >/dev/null 2>&1; }
# The names tests/browser.py looks for.
have_chromium() {
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 ||
        command -v google-chrome >/dev/null 2>&1
}

if have_dot && have_cjk_font && have_bwrap && have_chromium; then
    exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "正在安装 Graphviz、中文字体与 bubblewrap / Installing Graphviz, a Chinese font and bubblewrap (apt-get)..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends graphviz fonts-noto-cjk fontconfig bubblewrap >/dev/null
    fc-cache -f >/dev/null 2>&1 || true
    # Apart, and allowed to fail: Ubuntu has no `chromium` package (only a snap), and a missing
    # browser must not stop Graphviz and the font from being installed.
    have_chromium || apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 || true
fi

if ! have_bwrap; then
    cat >&2 <<MSG
⚠ 缺少 bubblewrap（bwrap）：评分时学生提交的代码将不在沙箱中运行（能读写课程目录）。
  只有老师评分时需要它；安装：sudo apt-get install bubblewrap
  （Fedora: sudo dnf install bubblewrap；conda: conda install -c conda-forge bubblewrap）
⚠ bubblewrap (bwrap) is missing: when grading, submitted code will run unsandboxed (it can read
  and write the course directory). Only the instructor's grading needs it; install it with
  sudo apt-get install bubblewrap
  (Fedora: sudo dnf install bubblewrap; conda: conda install -c conda-forge bubblewrap)
MSG
fi

if ! have_chromium; then
    cat >&2 <<MSG
⚠ 缺少 Chromium 浏览器：tests/test_browser.py（在真实浏览器里检查 JupyterLab）将被跳过（CI 中则失败）。
  只有运行测试时需要它；安装：sudo apt-get install chromium（macOS: brew install --cask chromium）
⚠ The Chromium browser is missing: tests/test_browser.py (checks JupyterLab in a real browser)
  will be skipped (under CI it fails). Only the tests need it; install it with
  sudo apt-get install chromium   (macOS: brew install --cask chromium)
MSG
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
