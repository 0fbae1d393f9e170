"""Only what pyproject.toml cannot say: the top-level ``resources/`` folder is installed as
the ``mentordesk.resources`` package (loaded with importlib.resources)."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["mentordesk", "mentordesk.*"]), "mentordesk.resources"],
    package_dir={"mentordesk.resources": "resources"},
)
