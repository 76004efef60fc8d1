"""Every regex that sees user text runs in linear time (the project rule; ReDoS is a DoS).

Each pattern is taken from its module by attribute and run the way that module runs it
(``match``, ``fullmatch``, ``search``, ``sub``, ``split``, ``findall``) on 1 MiB inputs built to
make a backtracking engine work: long runs of the repeated class, a near miss at the very end,
and the separators of nested or adjacent quantifiers. A super-linear pattern needs minutes on
these; a linear one needs milliseconds, so the 1 s bound is far from both.
"""

from __future__ import annotations

import importlib
import re
import time
from pathlib import Path

import pytest

from tests.clirunner import Overran, deadline

N = 1024 * 1024
BOUND_SECONDS = 1.0


def _run(n: int) -> list[str]:
    """Near misses after long runs: the shapes shared by most patterns."""
    return ["a" * n + "!", "1" * n + "x", " " * n + "x", "_" * n + "\n"]


# (module, attribute, method, extra shapes)
PATTERNS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("hardener.model", "_LIST_TEXT", "fullmatch", ("[" * N, "[" + "]" * N + "x", "[a" * N)),
    ("hardener.doctor.run", "_VERSION", "fullmatch", ("1." * (N // 2) + "x", "1.1-" + "a." * N)),
    ("hardener.yaml.nodes", "_LIBYAML_DIFFERS", "search", ()),
    ("hardener.yaml.scalars", "_INT", "fullmatch",
     ("0" * N + "8", "1" + ":1" * (N // 2) + "x", "0x" + "_" * N + "g", "0b" + "_" * N + "2")),
    ("hardener.yaml.scalars", "_FLOAT", "fullmatch",
     ("1" * N + "e", "1" * N + "." + "_" * N + "e", "1" + ":5" * (N // 2) + ".x", "." + "1" * N)),
    ("hardener.yaml.scalars", "_JAVA_DOUBLE", "fullmatch",
     ("1" * N + "e+", "1" * N + "." + "1" * N + "q", "+" + "1" * N + "ff")),
    ("hardener.yaml.scalars", "_JAVA_HEX_DOUBLE", "fullmatch",
     ("0x" + "f" * N + ".", "0x" + "f" * N + "p", "0x." + "f" * N + "p+")),
    ("hardener.yaml.scalars", "_BASE64_UNIT", "fullmatch", ("A" * N, "A=" * (N // 2))),
    ("hardener.yaml.emit", "_PLAIN", "match", ("a/" * (N // 2) + " ",)),
    ("hardener.yaml.emit", "_NOT_SINGLE_QUOTABLE", "search", ()),
    ("hardener.compare", "_INTEGER", "fullmatch", ("+" + "1" * N + "-",)),
    ("hardener.check.grade", "_INTEGER", "fullmatch", ("-" + "1" * N + "+",)),
    ("hardener.values", "_ENV_NAME", "match", ("A" * N + "-",)),
    ("hardener.values", "_HOST", "match", ("[" + "0" * N, "[" + ":" * N + "]]", "a:" * N + "/")),
    ("hardener.values", "_URL", "match",
     ("http://" + "a" * N + " ", "https://a" + "/" * N + " ", "http://" + "?#" * N + " x")),
    ("hardener.values", "_CONTROL", "search", ()),
    ("hardener.csp", "_WHITESPACE", "split", (" a" * (N // 2), "\t\n" * N)),
    ("hardener.csp", "_DIRECTIVE_NAME", "fullmatch", ("a-" * N + "_",)),
    ("hardener.csp", "_SOURCE_TOKEN", "fullmatch", ("'" * N + " ",)),
    ("hardener.init.snippets", "_CONTROL", "sub", ("\x00" * N,)),
    ("hardener.init.snippets", "_MD_SPECIAL", "sub", ("_" * N, "a_" * (N // 2), "`*[" * (N // 3))),
    ("hardener.init.snippets", "_BACKTICKS", "findall", ("`" * N, "`a" * (N // 2))),
    ("hardener.generate.render", "_CONTROL", "sub", ("\x85" * N,)),
    ("hardener.generate.render", "_ENV_NAME", "fullmatch", ("A" * N + "-",)),
    ("hardener.effective", "_ENV_NAME", "match", ("A" * N + "-",)),
    ("hardener.effective", "_NOT_IN_COMMENT", "sub", ("\n" * N,)),
    ("hardener.effective", "_EXPORT", "match", ("export" + " \t" * N,)),
    ("hardener.effective", "_ASSIGNMENT", "match", ("A" * N + " =",)),
    ("hardener.masking", "USERINFO", "sub",
     ("://" + "a" * N, "://" * (N // 3), "://" + "@" * N, "://a" * (N // 4), "http://" + ":" * N)),
    ("hardener.catalog", "_ENV_NAME", "fullmatch", ("A" * N + "-",)),
    ("hardener.catalog", "_DURATION", "fullmatch",
     ("P" + "1" * N + "X", "PT" + "1" * N + "X", "P" + "1Y" * (N // 2), "PT1." + "1" * N + "X")),
    ("hardener.catalog", "_PLAIN_SEGMENT", "fullmatch", ("a-" * N + ".",)),
    ("hardener.catalog", "_SIMPLE_PATTERN", "fullmatch",
     ("a[]" * (N // 3) + "'", "a." * (N // 2) + " ", "a" + "[]" * N + ".")),
    ("hardener.merge.edit", "_ODD_BREAK", "search", ("\r\n" * N,)),
    ("hardener.check.rules.secrets", "_AUTH_HEADER", "search",
     ("aut" * (N // 3), "secre" * (N // 5))),
    ("hardener.waivers", "_INLINE", "search",
     ("#" + " " * N + "x", "#" * N, "# optimize-harden: allow " + "A" * N,
      "# optimize-harden: allow A" + "-A" * (N // 2) + " " * N + "\n",
      "# optimize-harden:" * (N // 18))),
    ("hardener.waivers", "_RULE", "fullmatch", ("A" * N + "-", "A-" * (N // 2))),
)  # fmt: skip


def _built_patterns() -> list[tuple[str, re.Pattern[str], str, tuple[str, ...]]]:
    """Patterns compiled from a path: the staging and temp-file name matchers."""
    from hardener.init.staging import staging_pattern
    from hardener.merge.inplace import stale_temp_pattern

    names = ("." + "a." * N, ".x.bak." + "1" * N + ".tmp", "." * N)
    return [
        ("merge.inplace.stale_temp_pattern", stale_temp_pattern(Path("x")), "match", names),
        ("init.staging.staging_pattern", staging_pattern(Path("d")), "match", names),
    ]


def _cases() -> list[object]:
    found = []
    for module, attribute, method, shapes in PATTERNS:
        pattern = getattr(importlib.import_module(module), attribute)
        found.append(pytest.param(pattern, method, shapes, id=f"{module}.{attribute}"))
    for name, pattern, method, shapes in _built_patterns():
        found.append(pytest.param(pattern, method, shapes, id=name))
    return found


def _apply(pattern: re.Pattern[str], method: str, text: str) -> object:
    if method == "sub":
        return pattern.sub("?", text)
    return getattr(pattern, method)(text)


@pytest.mark.parametrize(("pattern", "method", "shapes"), _cases())
def test_pattern_is_linear_on_adversarial_input(
    pattern: re.Pattern[str], method: str, shapes: tuple[str, ...]
) -> None:
    for text in (*_run(N), *shapes):
        started = time.perf_counter()
        try:
            with deadline(BOUND_SECONDS):  # the regex engine checks signals
                _apply(pattern, method, text)
        except Overran:
            pass  # elapsed is over the bound: reported below
        elapsed = time.perf_counter() - started
        assert elapsed < BOUND_SECONDS, f"{pattern.pattern!r} took {elapsed:.2f} s on {text[:20]!r}"


def test_the_bound_catches_a_quadratic_pattern() -> None:
    """The harness itself: a pattern that rescans from every start is stopped and reported."""
    quadratic = re.compile(r"\[[^\n]*\]")
    with pytest.raises(AssertionError, match="took"):
        test_pattern_is_linear_on_adversarial_input(quadratic, "search", ("[" * (N // 16),))


def test_every_compiled_pattern_in_the_package_is_listed() -> None:
    """A new module-level regex must join the table (or be built from a path, as above)."""
    import hardener

    listed = {(module, attribute) for module, attribute, _, _ in PATTERNS}
    root = Path(hardener.__file__).parent
    missing = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "__main__.py":
            continue  # importing it runs the app
        parts = path.relative_to(root.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for attribute, value in vars(importlib.import_module(module)).items():
            if isinstance(value, re.Pattern) and (module, attribute) not in listed:
                missing.append(f"{module}.{attribute}")
    assert not missing, f"add these patterns to PATTERNS: {missing}"
