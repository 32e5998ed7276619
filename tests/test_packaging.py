"""The package list in pyproject.toml covers every package, and resources are reachable."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from setuptools import find_packages

REPO = Path(__file__).resolve().parents[1]


def test_every_package_is_listed() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = set(find_packages(str(REPO), include=["caseapp", "caseapp.*"]))
    assert found | {"caseapp.resources"} == listed, (
        "update [tool.setuptools] packages in pyproject.toml")


def test_resources_are_importable() -> None:
    demo = resources.files("caseapp.resources") / "demo" / "wechat_chat.png"
    assert demo.read_bytes().startswith(b"\x89PNG")
    assert (resources.files("caseapp.resources") / "translations").is_dir()
