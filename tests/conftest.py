"""Shared test fixtures: text snapshots that diff as the files they hold."""

from __future__ import annotations

from typing import Any

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode


def _text_extension(ext: str) -> type[SingleFileSnapshotExtension]:
    # syrupy renamed the extension attribute between releases; set both spellings.
    attrs: dict[str, Any] = {
        "_write_mode": WriteMode.TEXT,
        "file_extension": ext,
        "_file_extension": ext,
    }
    return type(f"{ext.title()}Snapshot", (SingleFileSnapshotExtension,), attrs)


YamlSnapshot = _text_extension("yaml")
EnvSnapshot = _text_extension("env")


@pytest.fixture
def yaml_snapshot(snapshot: Any) -> Any:
    """Snapshot stored as a .yaml file, so a review diff reads as YAML."""
    return snapshot.use_extension(YamlSnapshot)


@pytest.fixture
def env_snapshot(snapshot: Any) -> Any:
    """Snapshot stored as a .env file."""
    return snapshot.use_extension(EnvSnapshot)
