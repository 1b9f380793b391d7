"""The pieces that keep a symbolic link in a submission from bringing another file in
(autograder/instructor/links.py). The whole paths are tested elsewhere: ``nbgrader collect`` in
test_exchange.py, ``nbgrader autograde`` / ``generate_feedback`` and grade_class by the hostile
student h1_links_to_source in test_hostile.py."""
from pathlib import Path

from autograder.instructor.links import drop_followed_links, remove_links


def test_drop_followed_links_removes_exactly_the_copies(tmp_path):
    submitted, copied = tmp_path / "submitted", tmp_path / "autograded"
    for folder in (submitted, copied):
        (folder / "data").mkdir(parents=True)
        (folder / "mine.txt").write_text("mine")
    (tmp_path / "secret").write_text("secret")
    (submitted / "data" / "link.txt").symlink_to(tmp_path / "secret")
    (copied / "data" / "link.txt").write_text("secret")
    assert drop_followed_links(submitted, copied) == ["data/link.txt"]
    assert not (copied / "data" / "link.txt").exists() and (copied / "mine.txt").exists()
    assert remove_links(submitted) == ["removed symbolic link data/link.txt"]
