"""The instructor's tools: ``release`` (source/ → release/), ``grade_class`` (grade a class),
``tampering`` (read submissions for code that targets the grader), ``course`` (nbgrader's API for
the course directory). Never imported by a student's kernel.
"""
