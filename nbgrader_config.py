"""nbgrader configuration: the repository root is the course directory."""
import importlib.util
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

# The autograde pipeline, step by step (nbgrader runs the first list on the submitted notebook,
# writes it to autograded/, then runs the second list on it). nbgrader's own steps are its
# defaults, in its order; ours are marked. A new defence goes where its reason fits.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",  # the student's stored outputs prove nothing
    "nbgrader.preprocessors.DeduplicateIds",  # a graded cell copied by the student counts once
    "nbgrader.preprocessors.OverwriteKernelspec",  # the instructor's kernel, not one the student named
    "nbgrader.preprocessors.OverwriteCells",  # locked and test cells back to the gradebook's version
    "nbgrader.preprocessors.CheckCellMetadata",  # refuse a notebook whose nbgrader metadata is corrupt
]
c.Autograde.autograde_preprocessors = [
    # ours: what nbgrader copied through a symbolic link in the submission is deleted before any
    # code runs (a link to gradebook.db would bring its contents in; autograder/instructor/links.py)
    "autograder.instructor.links.DropFollowedLinks",
    # ours, in place of nbgrader's Execute: the student's cells run in a bubblewrap sandbox (it
    # sees a scratch copy of its folder, read-only Python and course packages, no network, limits
    # on memory, CPU time, processes and file size, e.g. c.SandboxKernelManager.memory_limit =
    # 8 << 30); graded test cells are judged by the referee in this process; the notebook has a
    # total time (c.SandboxExecute.notebook_timeout); a kernel that dies or ignores an interrupt
    # costs only its own cell: the rest run in a fresh one (autograder/instructor/execute.py).
    # On Linux grading refuses to run unsandboxed unless c.SandboxKernelManager.allow_unsandboxed.
    "autograder.instructor.execute.SandboxExecute",
    # ours: no active content, outputs capped in bytes, no execute_result read as partial credit
    # (autograder/instructor/outputs.py)
    "autograder.instructor.outputs.SafeOutputs",
    "nbgrader.preprocessors.IgnorePattern",  # off unless configured: drop matching stderr lines
    "nbconvert.preprocessors.ClearMetadataPreprocessor",  # off unless configured: clear metadata
    "nbgrader.preprocessors.LimitOutput",  # at most so many lines of each output
    "nbgrader.preprocessors.SaveAutoGrades",  # test cells without an error earn their points
    "nbgrader.preprocessors.AssignLatePenalties",  # the late-submission policy
    "nbgrader.preprocessors.CheckCellMetadata",  # what is saved is still a valid nbgrader notebook
]

# Feedback and the Formgrader render a student's Markdown cells and outputs sanitized: a <script>
# or an onerror= in a Markdown cell would otherwise run in the instructor's (or student's) browser.
c.HTMLExporter.sanitize_html = True
c.HTMLExporter.filters = {"markdown2html": "autograder.instructor.outputs.safe_markdown2html"}

# Feedback shows the test cells without their hidden tests.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    # ours: per exercise its points and each failed test's diagnosis (first sentence, zh + en) and
    # hidden kind of case, from the verdicts recorded while grading (autograder/instructor/feedback.py)
    "autograder.instructor.feedback.Diagnoses",
    "nbgrader.preprocessors.ClearHiddenTests",
]
# ...shown by our "feedback" template (bilingual labels, that summary at the top, messages wrapped to
# the page width), for the feedback's exporter only: the Formgrader keeps its own templates.
# (find_spec finds the installed package without importing it, and torch with it)
c.GenerateFeedback.HTMLExporter.extra_template_basedirs = [str(
    Path(importlib.util.find_spec("autograder").submodule_search_locations[0]) / "instructor" / "templates")]
