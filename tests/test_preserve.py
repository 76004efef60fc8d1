"""The preservation checker: every unclaimed old line survives byte-identical and in order."""

from __future__ import annotations

from hardener.merge.preserve import PreservationProblem, check_preserved


def lines(problems: list[PreservationProblem]) -> list[int]:
    return [problem.old_line for problem in problems]


def test_identical_text_is_preserved() -> None:
    text = "a: 1\n# c\n\nb: 2"
    assert check_preserved(text, text, []) == []


def test_inserted_lines_are_fine() -> None:
    old = "a: 1\nb: 2\n"
    assert check_preserved(old, "# new\na: 1\n  x: 1\nb: 2\nc: 3\n", []) == []


def test_changed_line_must_be_allowed() -> None:
    old = "a: 1  # c\nb: 2\n"
    new = "a: 5  # c\nb: 2\n"
    problems = check_preserved(old, new, [])
    assert lines(problems) == [1]
    assert problems[0].message == "line 1 was changed, moved or removed: 'a: 1  # c'"
    assert check_preserved(old, new, [1]) == []


def test_removed_lines() -> None:
    old = "a:\n  x: 1\n  y: 2\nb: 3\n"
    new = "a: z\nb: 3\n"
    assert lines(check_preserved(old, new, [1])) == [2, 3]
    assert check_preserved(old, new, {1, 2, 3}) == []


def test_line_endings_count() -> None:
    assert lines(check_preserved("a: 1\r\nb: 2\r\n", "a: 1\nb: 2\r\n", [])) == [1]
    assert lines(check_preserved("a: 1", "a: 1\n", [])) == [1]
    assert lines(check_preserved("a: 1\n", "a: 1", [])) == [1]


def test_whitespace_changes_count() -> None:
    assert lines(check_preserved("a:\n    b: 1\n", "a:\n  b: 1\n", [])) == [2]
    assert lines(check_preserved("a: 1   \n", "a: 1\n", [])) == [1]


def test_reordered_lines_are_reported() -> None:
    old = "a: 1\nb: 2\nc: 3\nd: 4\n"
    new = "a: 1\nc: 3\nd: 4\nb: 2\n"
    assert lines(check_preserved(old, new, [])) == [2]


def test_duplicate_lines_match_in_order() -> None:
    old = "a:\n  enabled: true\nb:\n  enabled: true\n"
    new = "a:\n  enabled: false\nb:\n  enabled: true\n"
    assert lines(check_preserved(old, new, [])) == [2]
    assert check_preserved(old, new, [2]) == []


def test_large_text_with_few_changes_is_fast_and_precise() -> None:
    old_lines = [f"key{i}: {i}  # comment\n" if i % 3 else "\n" for i in range(60_000)]
    new_lines = list(old_lines)
    new_lines[10] = "key10: changed\n"
    new_lines.insert(40_000, "inserted: 1\n")
    old, new = "".join(old_lines), "".join(new_lines)
    assert lines(check_preserved(old, new, [])) == [11]
    assert check_preserved(old, new, [11]) == []


def test_long_lines_are_shortened_in_messages() -> None:
    problems = check_preserved("x" * 300 + "\n", "y\n", [])
    assert problems[0].message.endswith("...'")
    assert len(problems[0].message) < 120


def test_lines_split_only_at_line_feeds() -> None:
    """Form feeds or U+2028 inside a line do not start a new line (editors agree)."""
    old = "a: 'x\u2028y'\fz\nb: 2\n"
    assert check_preserved(old, old.replace("b: 2", "b: 3"), [2]) == []
    assert lines(check_preserved(old, old.replace("y'", "Y'"), [2])) == [1]
