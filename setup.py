"""Only what pyproject.toml cannot say: the top-level ``resources/`` folder is installed as
the package ``mentordesk.resources`` (read with importlib.resources). Folders of data (icons,
migration versions) are listed as namespace packages, as setuptools asks."""

from pathlib import Path

from setuptools import find_namespace_packages, setup

resources = ["mentordesk.resources", *(
    "mentordesk.resources." + ".".join(p.relative_to("resources").parts)
    for p in sorted(Path("resources").rglob("*")) if p.is_dir() and p.name != "__pycache__")]

setup(
    packages=[*find_namespace_packages(include=["mentordesk", "mentordesk.*"],
                                       exclude=["*.__pycache__"]), *resources],
    package_dir={"mentordesk.resources": "resources"},
)
