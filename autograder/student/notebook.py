"""In a student's kernel: an unanswered cell says so in both languages, not with a traceback.

Importing :mod:`autograder` in IPython (the assignments' setup cell does) installs a handler for
the two errors an unanswered assignment raises: the stub's ``NotImplementedError`` in an answer
cell, and the ``NameError`` a test cell meets when the answer cell above it never defined its
name. Both still fail the cell (nbgrader counts it), but what the student reads, in the notebook
and in nbgrader's Validate dialog, is one bilingual line that says what to do.

It also records the source of every cell the kernel runs (``ran``), for ``written(...)`` in a
visible test: IPython's ``In`` holds only cells run with ``store_history=True``, and a runner may
send them without (nbval does).
"""
from helpers.text import bilingual

ran: list[str] = []  # the cells this kernel ran since autograder was imported, oldest first


def _record(result) -> None:
    ran.append(result.info.raw_cell if result.info is not None else "")


def unanswered_lines(etype, value):
    if issubclass(etype, NotImplementedError):
        message = bilingual(
            "这道题还没有作答：把 raise NotImplementedError() 换成你的代码，再运行这个单元格。",
            "This exercise is not answered yet: replace raise NotImplementedError() with your "
            "code, then run this cell again.")
    else:
        name = getattr(value, "name", None) or str(value)
        message = bilingual(
            f"{name} 还没有定义。如果它是上面某道题要你写的答案，那道题还没有作答（或者它的单元格出错了）："
            "先完成并运行那个单元格；否则检查拼写，并从上到下运行前面的单元格。",
            f"{name} is not defined. If it is the answer an exercise above asks for, that "
            "exercise is not answered yet (or its cell failed): finish and run that cell first; "
            "otherwise check the spelling and run the cells above from the top.")
    return [f"\x1b[0;31m{etype.__name__}\x1b[0m:", *message.splitlines()]


def _handler(shell, etype, value, tb, tb_offset=None):
    lines = unanswered_lines(etype, value)
    shell._showtraceback(etype, value, lines)
    return lines


def install() -> bool:
    """Install the handler in the running IPython shell; False outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((NotImplementedError, NameError), _handler)
    if _record not in shell.events.callbacks["post_run_cell"]:
        shell.events.register("post_run_cell", _record)
    return True
