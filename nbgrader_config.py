"""nbgrader configuration: the repository root is the course directory."""
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
