"""Package layout: the top-level ``resources/`` folder is installed as ``caseapp.resources``."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["caseapp", "caseapp.*"]), "caseapp.resources"],
    package_dir={"caseapp.resources": "resources"},
)
