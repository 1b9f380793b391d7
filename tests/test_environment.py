"""The conda path (environment.yml) and the pip path (pyproject.toml) install the same packages."""
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

# conda-forge names that differ from their PyPI names
CONDA_TO_PYPI = {"pytorch": "torch", "python-graphviz": "graphviz"}
# conda-only entries with no PyPI package: the interpreter, pip, Graphviz's `dot`, a CJK font
CONDA_ONLY = {"python", "pip", "graphviz", "font-ttf-noto-cjk"}


def package_name(requirement: str) -> str:
    return re.split(r"[<>=!~\s\[;]", requirement.strip(), maxsplit=1)[0].lower()


def pip_packages() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    requirements = project["dependencies"] + [r for group in extras.values() for r in group]
    return {package_name(r) for r in requirements}


def conda_packages() -> set[str]:
    names = set()
    for entry in yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]:
        if isinstance(entry, dict):  # the `pip:` list
            names |= {package_name(r) for r in entry["pip"] if not r.startswith("-e")}
        elif package_name(entry) not in CONDA_ONLY:
            names.add(CONDA_TO_PYPI.get(package_name(entry), package_name(entry)))
    return names


def test_conda_and_pip_name_the_same_packages():
    assert conda_packages() == pip_packages(), (
        f"only in environment.yml: {sorted(conda_packages() - pip_packages())}; "
        f"only in pyproject.toml: {sorted(pip_packages() - conda_packages())}"
    )


def test_environment_yml_installs_the_course_and_system_pieces():
    dependencies = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    names = {package_name(d) for d in dependencies if isinstance(d, str)}
    assert CONDA_ONLY <= names
    pip_section = next(d["pip"] for d in dependencies if isinstance(d, dict))
    assert "-e ." in pip_section


def test_lock_pins_every_direct_dependency():
    pinned = {
        package_name(line): line.split("==")[1].strip()
        for line in (ROOT / "requirements-lock.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    missing = pip_packages() - set(pinned)
    assert not missing, f"requirements-lock.txt does not pin: {sorted(missing)}"
    assert pinned["torch"] == "2.13.0"  # the CPU build on the course machines' disk
