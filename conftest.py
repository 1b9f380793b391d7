"""Run All pressed twice, for every notebook nbval runs (a conftest at the root, so that
``pytest notebooks/05_autograd.ipynb`` checks it too).

After nbval has run a notebook's cells in one kernel and compared their outputs, one more item
runs every code cell again in that same kernel, as a student pressing Run All a second time
does: a cell that only works on a fresh kernel (it relies on a warning being emitted, or edits a
tensor that the first run already changed) fails it. Cells tagged ``raises-exception`` may
raise. It reuses nbval's kernel and first run instead of executing every notebook twice more.
"""
import pytest

SECOND_RUN = "Run All again in the same kernel"


class RunAllAgain(pytest.Item):
    """Every code cell of the notebook once more, in the kernel nbval ran it in."""

    def runtest(self):
        kernel = self.parent.kernel
        if kernel is None or not kernel.is_alive():
            pytest.fail("nbval's kernel is gone: the first run did not finish", pytrace=False)
        code = [cell for cell in self.parent.nb.cells if cell.cell_type == "code"]
        for number, cell in enumerate(code):
            errors = []

            def keep_errors(msg):
                if msg["msg_type"] == "error":
                    errors.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")

            reply = kernel.kc.execute_interactive(
                cell.source, store_history=False, allow_stdin=False, output_hook=keep_errors,
                timeout=self.config.getoption("nbval_cell_timeout"))
            failed = reply["content"]["status"] != "ok" or errors
            if failed and "raises-exception" not in cell.metadata.get("tags", []):
                pytest.fail(f"{self.parent.path.name}, code cell {number} (nbval's Cell {number}) "
                            f"fails when Run All is pressed a second time in the same kernel:\n"
                            f"{cell.source[:300]}\n{'; '.join(errors)[-1500:]}", pytrace=False)

    def reportinfo(self):
        return self.path, 0, f"{self.parent.path.name}: {SECOND_RUN}"


def pytest_collection_modifyitems(session, config, items):
    """One RunAllAgain after the last cell of each notebook nbval collected."""
    last = {}  # notebook collector -> index of its last cell item
    for index, item in enumerate(items):
        if type(item).__name__ == "IPyNbCell":
            last[item.parent] = index
    for notebook, index in sorted(last.items(), key=lambda pair: -pair[1]):
        items.insert(index + 1, RunAllAgain.from_parent(notebook, name=SECOND_RUN))
