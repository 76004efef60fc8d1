"""Where the shipped data lives: inside the installed package, or beside it in a source checkout.

The wheel carries ``templates/`` and ``profiles/`` inside the ``hardener`` package; a source
checkout keeps them at the project root. Both layouts work from any working directory.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    installed = _PACKAGE / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def profiles_dir() -> Path:
    """The folder holding the built-in profiles."""
    return _data_dir("profiles")


def templates_dir() -> Path:
    """The folder holding the Jinja templates."""
    return _data_dir("templates")
