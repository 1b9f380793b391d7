"""nbgrader configuration: the repository root is the course directory."""
import os
from pathlib import Path

c = get_config()  # noqa: F821  (provided by nbgrader)

c.CourseDirectory.course_id = "pytorch-tensors-autograd"
c.CourseDirectory.root = str(Path(__file__).resolve().parent)
c.CourseDirectory.db_url = "sqlite:///" + str(Path(__file__).resolve().parent / "gradebook.db")

# What students see in place of a solution.
c.ClearSolutions.code_stub = {
    "python": "# 在这里写你的代码 / YOUR CODE HERE\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "在这里写你的回答 / YOUR ANSWER HERE"

# A hanging cell is interrupted after this many seconds; the rest of the notebook still runs,
# so one stuck answer costs only its own points.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
c.Execute.startup_timeout = 120
c.Execute.kernel_name = "python3"

# A test cell the student deleted is put back and run, so deleting a failing test earns nothing.
c.OverwriteCells.add_missing_cells = True

# nbgrader's exchange, where `nbgrader release_assignment` publishes and students fetch and submit.
# On one machine it is exchange/ in the course (git-ignored); on a JupyterHub every user must see
# the same folder: set NBGRADER_EXCHANGE to it (e.g. /srv/nbgrader/exchange) for everyone.
if "NBGRADER_EXCHANGE" in os.environ:
    c.Exchange.root = os.environ["NBGRADER_EXCHANGE"]
else:  # the Formgrader and the Assignment List fail on a missing exchange folder: make it
    c.Exchange.root = str(Path(__file__).resolve().parent / "exchange")
    Path(c.Exchange.root).mkdir(exist_ok=True)

# `nbgrader collect` copies students' submissions without following their symbolic links (a link
# to gradebook.db would otherwise bring its contents in; autograder/instructor/links.py).
c.ExchangeFactory.collect = "autograder.instructor.links.CollectWithoutLinks"

# Each submission's kernel runs in a bubblewrap sandbox (autograder/instructor/sandbox.py): it sees
# a scratch copy of its own folder and read-only Python and course packages, nothing else of the
# course; no network, its own PIDs, limits on memory, CPU time, processes and file size (e.g.
# c.SandboxKernelManager.memory_limit = 8 << 30). Where bwrap cannot run, grading runs unsandboxed
# and grade_class says so. nbgrader's Execute ignores c.Execute.kernel_manager_class, hence the swap.
from nbgrader.converters import Autograde  # noqa: E402

_steps = []
for _step in Autograde.class_traits()["autograde_preprocessors"].default():
    if _step.__name__ == "Execute":
        _steps += ["autograder.instructor.sandbox.SandboxExecute",
                   # right after running it: no active content, outputs capped in bytes, no
                   # execute_result read as partial credit (autograder/instructor/outputs.py)
                   "autograder.instructor.outputs.SafeOutputs"]
    else:
        _steps.append(_step)
c.Autograde.autograde_preprocessors = _steps

# Feedback and the Formgrader render a student's Markdown cells and outputs sanitized: a <script>
# or an onerror= in a Markdown cell would otherwise run in the instructor's (or student's) browser.
c.HTMLExporter.sanitize_html = True
c.HTMLExporter.filters = {"markdown2html": "autograder.instructor.outputs.safe_markdown2html"}

# Feedback shows the test cells without their hidden tests.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "nbgrader.preprocessors.ClearHiddenTests",
]
