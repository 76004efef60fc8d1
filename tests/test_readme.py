"""README.md stays true: the profile table is the profile data, the commands are the real ones."""

from __future__ import annotations

from pathlib import Path

from hardener.profile_view import END_MARK, START_MARK, markdown_table

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = START_MARK, END_MARK


def test_profile_table_matches_profile_data() -> None:
    text = README.read_text(encoding="utf-8")
    table = text[text.index(START) + len(START) : text.index(END)]
    assert table == markdown_table(), (
        "README profile table drifted from profiles/*.yaml; regenerate it with: "
        "python -m hardener.profile_view README.md"
    )


def test_readme_shows_install_generate_and_test_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "pip install . && optimize-harden generate --profile strict" in text
    assert "python -m pytest" in text
