"""Make a graded notebook's outputs safe to show and impossible to score with.

:class:`SafeOutputs` runs in nbgrader's autograde steps right after the notebook is executed, so
the autograded notebook (which the Formgrader shows) and the feedback made from it both get:

* no active content: HTML, JavaScript, Markdown, SVG and LaTeX outputs are replaced by a note
  (a student's output could otherwise run script in the instructor's browser); plain text and
  PNG/JPEG pictures stay;
* outputs capped in bytes (``max_bytes`` per output; nbgrader's LimitOutput counts lines, and one
  100 MiB line is one line);
* no ``execute_result`` in a graded test cell: nbgrader reads one as partial credit, even when
  the cell then fails, and this course's test cells never return a score (they print);
* no source lines in a test cell's traceback (an interrupted loop's traceback would quote the
  hidden tests): only the error's name and message, or the whole diagnosis of a GradingError, or
  the whole output of a test cell the referee judged (its own lines, zh + en, never a traceback:
  the cell has a verdict, verdicts.py).

Markdown cells are the student's too: :func:`safe_markdown2html` replaces nbconvert's
``markdown2html`` filter (nbgrader_config.py: ``c.HTMLExporter.filters``), so the feedback and the
Formgrader render them without scripts, event handlers or ``javascript:`` links. (nbconvert's own
``sanitize_html`` does not reach them: nbgrader's templates render Markdown cells themselves.)
"""
import bleach
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer

from autograder.instructor import verdicts

SAFE_TYPES = ("text/plain", "image/png", "image/jpeg")
REMOVED = "[输出已移除：只显示纯文本和图片 / output removed: only plain text and pictures are shown]"


def _cut(text, limit):
    if len(text.encode("utf-8")) <= limit:
        return text
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore") + \
        "\n… [输出过长，已截断 / output truncated]"


class SafeOutputs(NbGraderPreprocessor):
    max_bytes = Integer(20_000, help="Most bytes kept of one output's text").tag(config=True)
    max_image_bytes = Integer(2_000_000, help="Larger pictures are removed").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        graded = cell.metadata.get("nbgrader", {}).get("grade", False)
        judged = "passed" in (verdicts.of(cell) or {})  # its outputs are the referee's own
        kept = []
        for output in cell.get("outputs", []):
            if graded and output.output_type == "execute_result":
                output.output_type = "display_data"  # shown, never read as a score
                output.pop("execution_count", None)
            if output.output_type == "stream":
                output.text = _cut(output.text, self.max_bytes)
            elif output.output_type == "error":
                output.evalue = _cut(str(output.evalue), self.max_bytes)
                output.traceback = [_cut(line, self.max_bytes) for line in output.traceback[-100:]]
                if graded and output.ename != "GradingError" and not judged:
                    # A traceback quotes the test cell's lines around the error, hidden tests
                    # included: keep only what went wrong (a diagnosis is shown whole).
                    output.traceback = [f"{output.ename}: {output.evalue}"]
            elif "data" in output:
                output.data = self.safe_data(output.data)
            kept.append(output)
        cell.outputs = kept
        return cell, resources

    def safe_data(self, data):
        safe = {key: value for key, value in data.items() if key in SAFE_TYPES
                and (key == "text/plain" or len(value) <= self.max_image_bytes)}
        if "text/plain" in safe:
            safe["text/plain"] = _cut(safe["text/plain"], self.max_bytes)
        if len(safe) < len(data):
            safe["text/plain"] = (safe.get("text/plain", "") + "\n" + REMOVED).strip()
        return safe


MARKDOWN_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3",
                 "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "span", "strong", "sub",
                 "sup", "table", "tbody", "td", "th", "thead", "tr", "ul"}
MARKDOWN_ATTRIBUTES = {"*": ["class", "id", "title", "align"], "a": ["href"],
                       "img": ["src", "alt", "width", "height"]}


def safe_markdown2html(source: str) -> str:
    """Markdown (with math) to HTML, then only harmless tags, attributes and link schemes kept;
    anything else is shown as text."""
    html = MarkdownWithMath(renderer=IPythonRenderer(escape=False)).render(source)
    return bleach.clean(html, tags=MARKDOWN_TAGS, attributes=MARKDOWN_ATTRIBUTES,
                        protocols={"http", "https", "mailto", "data"})


# Why a code cell was not run: its output says so, and a test cell scores 0, not full marks.
NOTEBOOK_TIME_UP = ("这份笔记本用完了它的总运行时间", "the notebook used up its total time")
RESTART_FAILED = ("内核停掉后，没能启动新的内核", "no fresh kernel could be started after the kernel was lost")


def too_many_restarts(times: int) -> tuple[str, str]:
    return (f"内核已经重启过 {times} 次，一份笔记本最多只重启这么多次",
            f"the kernel was restarted {times} times already, the most a notebook gets")


def not_run(why: tuple[str, str]) -> dict:
    """The error output of a cell that was not run (so a test cell scores 0, not full marks)."""
    zh, en = why
    return new_output("error", ename="NotRun", evalue=f"未运行：{zh}。/ Not run: {en}.",
                      traceback=[f"未运行：{zh}。", f"Not run: {en}."])


# How a kernel was lost in a cell (execute.py): the cell shows it and earns nothing; the cells
# after it run in a fresh kernel.
KERNEL_DIED = ("内核在运行这个单元格时退出了（段错误、os._exit，或因为用了太多内存被系统结束）",
               "The kernel died while this cell ran (a segfault, os._exit, or killed for using "
               "too much memory)")
KERNEL_STOPPED = ("这个单元格到了时限却不响应中断，内核被停止了",
                  "This cell ignored the interrupt when its time was up, so the kernel was stopped")
LOST = {KERNEL_DIED: "KernelDied", KERNEL_STOPPED: "KernelStopped"}  # the outputs' ename
RESTARTED = ("后面的单元格在一个新内核里运行：它先悄悄地重新运行了前面的代码单元格"
             "（内核在其中退出或被停止的单元格除外）",
             "The cells after this one run in a fresh kernel, which first quietly re-ran the code "
             "cells before it (all but those in which a kernel died or was stopped)")


def kernel_lost(why: tuple[str, str]) -> dict:
    """The error output of the cell in which the kernel died or was stopped."""
    zh, en = why
    return new_output("error", ename=LOST[why], evalue=f"{zh}。/ {en}.", traceback=[f"{zh}。", f"{en}."])


def restarted_note() -> dict:
    zh, en = RESTARTED
    return new_output("stream", name="stderr", text=f"{zh}。\n{en}.\n")
