"""The hostile-input table: what a bad file or argument is, which commands meet it, what happens.

``tests/test_hostile.py`` runs every row through the app that ``python -m hardener`` runs, in
process, and ``docs/hostile-inputs.md`` is rendered from the same rows; a test fails when the two
drift.
Regenerate the document with ``python -m tests.hostile_cases`` from the repository root.

A row's ``file`` is created in an empty working directory (bytes, or a builder for what bytes
cannot say: a directory, a symlink, a sparse 200 MB file) beside ``good.yaml``, a small valid
config. Command templates name it ``{file}``. Every command runs in its own copy of that
directory, which must be byte for byte the same afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from hardener.yaml import MAX_CONFIG_BYTES, MAX_DEPTH

MiB = 1024 * 1024
GOOD = b"container:\n  ports:\n    http: 8090\n"
"""good.yaml: valid, with findings under every profile."""

Builder = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """One hostile input and what every command that reads it must do."""

    id: str
    input: str  # what it is, for the document
    commands: Mapping[str, int]  # command template -> exit code
    message: str = ""  # fragment of the one stderr line when the exit code is 2
    file: bytes | Builder | None = None
    name: str = "environment-config.yaml"
    behaviour: str = "refused, nothing written"
    stdout: str = ""  # a fragment stdout must hold (valid inputs)


def refused(*templates: str) -> dict[str, int]:
    return dict.fromkeys(templates, 2)


# Who reads a file: check (libyaml compose), merge (round trip), a values file and a profile
# (fast plain load with a precise fallback), init's values, waiver files.
CHECK, MERGE = "check {file}", "merge --in-place {file}"
VALUES, PROFILE = "generate --values {file}", "profiles show {file}"
INIT = "init new --non-interactive --values {file}"
WAIVERS = "check --waivers {file} good.yaml"
READERS = refused(CHECK, MERGE, VALUES)
ALL_READERS = refused(CHECK, MERGE, VALUES, PROFILE, INIT, WAIVERS)


def _sparse(size: int) -> Builder:
    def build(path: Path) -> None:
        with path.open("wb") as handle:
            handle.truncate(size)  # a hole: no data blocks written

    return build


def _long_line(size: int) -> Builder:
    def build(path: Path) -> None:
        path.write_bytes(b"key: " + b"x" * (size - 6) + b"\n")

    return build


def _directory(path: Path) -> None:
    path.mkdir()


def _endless(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _dangling(path: Path) -> None:
    path.symlink_to("nowhere.yaml")


def _bomb(open_: str, close: str, item: Callable[[int, int], str]) -> bytes:
    lines = [f"a0: &a0 {open_}{', '.join(item(0, n) for n in range(10))}{close}"]
    for level in range(1, 12):
        items = ", ".join(item(level, n) for n in range(10))
        lines.append(f"a{level}: &a{level} {open_}{items}{close}")
    return ("\n".join(lines) + "\n").encode()


SEQ_BOMB = _bomb("[", "]", lambda level, n: f"*a{level - 1}" if level else "lol")
MAP_BOMB = _bomb("{", "}", lambda level, n: f"k{n}: *a{level - 1}" if level else f"k{n}: lol")
DEEP = "refused from parser events, before any recursive parser"
BOMB = (
    "a config is read as Optimize reads it: each alias is its anchor's name, so nothing expands "
    "(check reports, merge hardens); our own data files refuse aliases"
)
ALIAS_READERS = {CHECK: 1, "merge {file}": 0, **refused(VALUES, PROFILE, INIT, WAIVERS)}
SIDE_EFFECT = b"a: !!python/object/apply:os.system ['touch PWNED']\n"

CASES: tuple[Case, ...] = (
    # --- invalid YAML -------------------------------------------------------------------------
    Case("unclosed-flow", "unclosed flow list", ALL_READERS,
         "{file}:2:2: invalid YAML: expected ',' or ']', but got ':' "
         "(while parsing a flow sequence that starts at 1:4)", b"a: [1, 2\nb: 3\n"),
    Case("bad-indentation", "bad indentation", READERS,
         "{file}:3:2: invalid YAML: expected <block end>, but found '<block mapping start>' "
         "(while parsing a block mapping that starts at 1:1)", b"a:\n  b: 1\n c: 2\n"),
    Case("unterminated-quote", "unterminated quote", READERS,
         "{file}:3:1: invalid YAML: found unexpected end of stream "
         "(while scanning a quoted scalar that starts at 1:4)", b"a: 'abc\nb: 2\n"),
    Case("stray-colon", "stray `:` in a value", READERS,
         "{file}:1:5: invalid YAML: mapping values are not allowed here", b"a: b: c\n"),
    Case("tab-indent", "tab used for indentation", READERS,
         "{file}:2:1: invalid YAML: found character '\\t' that cannot start any token",
         b"a:\n\tb: 1\n"),
    Case("duplicate-key", "duplicate key (the values are not shown: either may be a secret)",
         ALL_READERS, "{file}:2:1: invalid YAML: found duplicate key (values not shown; a key "
         "may appear only once per mapping)", b"a: 1\na: 2\n"),
    Case("several-documents", "several YAML documents", READERS,
         "{file}:2: several YAML documents in one file; Optimize reads only the first",
         b"a: 1\n---\nb: 2\n"),
    Case("root-list", "top level is a list", READERS,
         "{file}:1: the top level is a list; an Optimize config must be a mapping of keys",
         b"- a\n- b\n"),
    Case("root-scalar", "top level is a single value", READERS,
         "{file}:1: the top level is a single value; an Optimize config must be a mapping of keys",
         b"hello\n"),
    # --- valid edge cases ---------------------------------------------------------------------
    Case("empty", "empty file", {CHECK: 1, "merge {file}": 0, VALUES: 0},
         file=b"", behaviour="valid: an empty config (merge hardens it, check reports findings)",
         stdout="OH-"),
    Case("comments-only", "only comments", {CHECK: 1, "merge {file}": 0, VALUES: 0},
         file=b"# nothing yet\n# still nothing\n",
         behaviour="valid: an empty config (merge hardens it, check reports findings)",
         stdout="OH-"),
    Case("utf8-bom", "UTF-8 with a byte order mark", {CHECK: 1, "merge {file}": 0},
         file=b"\xef\xbb\xbf" + GOOD, behaviour="valid", stdout="OH-"),
    Case("crlf", "CRLF line ends", {CHECK: 1, "merge {file}": 0},
         file=GOOD.replace(b"\n", b"\r\n"), behaviour="valid", stdout="OH-"),
    Case("standard-tags", "standard tags (`!!str`, `!!int`)", {CHECK: 1, "merge {file}": 0},
         file=b"container:\n  ports:\n    http: !!int '8090'\n  host: !!str 10.0.0.1\n",
         behaviour="valid", stdout="OH-"),
    # --- encodings and binary -----------------------------------------------------------------
    Case("binary", "binary data", READERS,
         "{file}:1: binary data (NUL byte); expected a UTF-8 text file", bytes(range(256)) * 4),
    Case("latin-1", "Latin-1 text", READERS,
         "{file}:1:7: not valid UTF-8 (byte 0xe9); save the file as UTF-8",
         "a: café\n".encode("latin-1")),
    Case("utf-16-bom", "UTF-16 with a byte order mark", READERS,
         "{file}:1: UTF-16 text; save the file as UTF-8", "a: 1\n".encode("utf-16")),
    Case("utf-16le", "UTF-16 (little-endian) without a byte order mark", READERS,
         "{file}:1: UTF-16 text; save the file as UTF-8", "a: 1\n".encode("utf-16-le")),
    Case("utf-16be", "UTF-16 (big-endian) without a byte order mark", READERS,
         "{file}:1: UTF-16 text; save the file as UTF-8", "a: 1\n".encode("utf-16-be")),
    # --- size ---------------------------------------------------------------------------------
    Case("200mb", "200 MB file (sparse)", ALL_READERS,
         f"{{file}}: file is {200 * MiB} bytes; the limit is {MAX_CONFIG_BYTES} bytes",
         _sparse(200 * MiB), behaviour="refused from its size, before it is read"),
    Case("10mb-line", "one line of 10 MB", READERS,
         f"{{file}}: file is {10 * MiB} bytes; the limit is {MAX_CONFIG_BYTES} bytes",
         _long_line(10 * MiB), behaviour="refused from its size, before it is read"),
    # --- structure bombs ----------------------------------------------------------------------
    Case("alias-bomb-lists", "alias bomb, lists (10^12 values)", ALIAS_READERS,
         "{file}:2:10: an alias (*a0) is not supported in this file; write the value out",
         SEQ_BOMB, behaviour=BOMB, stdout="OH-"),
    Case("alias-bomb-maps", "alias bomb, mappings (10^12 values)",
         {CHECK: 1, "merge {file}": 0, VALUES: 2},
         "{file}:2:14: an alias (*a0) is not supported in this file; write the value out",
         MAP_BOMB, behaviour=BOMB, stdout="OH-"),
    Case("recursive-alias", "alias inside its own anchor", ALL_READERS,
         "{file}:2:6: an alias refers to a block that contains it; a configuration cannot be "
         "recursive", b"a: &a\n  b: *a\n"),
    Case("deep-block", "10,000 nested block lists", READERS,
         f"{{file}}:2:{2 * MAX_DEPTH - 1}: nesting deeper than {MAX_DEPTH} levels",
         b"a:\n" + b"- " * 10_000 + b"x\n", behaviour=DEEP),
    Case("deep-flow-list", "10,000 nested flow lists", ALL_READERS,
         f"{{file}}:1:{MAX_DEPTH + 3}: nesting deeper than {MAX_DEPTH} levels",
         b"a: " + b"[" * 10_000 + b"]" * 10_000 + b"\n",
         behaviour=DEEP),
    Case("deep-flow-map", "10,000 nested flow mappings", READERS,
         f"{{file}}:1:{4 * MAX_DEPTH}: nesting deeper than {MAX_DEPTH} levels",
         b"a: " + b"{x: " * 10_000 + b"1" + b"}" * 10_000 + b"\n",
         behaviour=DEEP),
    # --- tags ---------------------------------------------------------------------------------
    Case("python-object", "`!!python/object/apply:os.system` (would create a file)", ALL_READERS,
         "{file}:1:4: unsupported YAML tag tag:yaml.org,2002:python/object/apply:os.system; "
         "only standard tags are allowed", SIDE_EFFECT, behaviour="refused, never constructed"),
    Case("python-name", "`!!python/name:os.system`", READERS,
         "{file}:1:4: unsupported YAML tag tag:yaml.org,2002:python/name:os.system; only "
         "standard tags are allowed", b"a: !!python/name:os.system\n",
         behaviour="refused, never constructed"),
    Case("custom-tag", "custom tag `!vault`", READERS,
         "{file}:1:4: unsupported YAML tag !vault; only standard tags are allowed",
         b"a: !vault secret-ref\n", behaviour="refused, never constructed"),
    # --- paths --------------------------------------------------------------------------------
    Case("directory", "a directory where a file belongs",
         refused(MERGE, VALUES, PROFILE, INIT, WAIVERS), "{file}: is a directory, not a file",
         _directory),
    Case("device", "a device that never ends (`/dev/zero`)", ALL_READERS,
         f"{{file}}: file is larger than {MAX_CONFIG_BYTES} bytes", _endless,
         behaviour="refused after reading one byte past the limit"),
    Case("missing", "missing file", refused(CHECK, MERGE, VALUES, INIT, WAIVERS),
         "{file}: file not found", name="nope.yaml"),
    Case("missing-profile", "missing profile file", refused(PROFILE, "generate --profile {file}"),
         "{file}: profile file not found", name="nope.yaml"),
    Case("dangling-symlink", "dangling symbolic link", refused(CHECK, MERGE, VALUES),
         "{file}: file not found", _dangling),
    Case("empty-dir", "`check` on a directory without environment-config*.yaml", refused(CHECK),
         "{file}: no environment-config*.yaml below this directory", _directory, name="conf"),
    # --- profiles, values, waivers ------------------------------------------------------------
    Case("profile-field", "profile with an unknown field",
         refused(PROFILE, "generate --profile {file}", "check --profile {file} good.yaml"),
         "{file}:4:5: setting 'x.y': unknown field 'bogus'",
         b"extends: strict\nsettings:\n  x.y:\n    bogus: 1\n", name="ours.yaml"),
    Case("profile-cycle", "profile that extends itself",
         refused(PROFILE, "merge --profile {file} good.yaml"),
         "{file}: profile extends itself (cycle in 'extends')", b"extends: ./ours.yaml\n",
         name="ours.yaml"),
    Case("profile-parent", "profile extending a missing parent",
         refused(PROFILE, "generate --profile {file}"),
         "{file}:1:1: extends: unknown profile 'nosuch'", b"extends: nosuch\n",
         name="ours.yaml"),
    Case("values-bad-value", "values file with an invalid value", refused(VALUES, INIT),
         "{file}: site value 'container.https_port': must be a port number between 1 and 65535",
         b"container:\n  https_port: 99999\n", name="site.yaml"),
    Case("values-unknown-key", "values file with an unknown key", refused(VALUES, INIT),
         "{file}: unknown site value 'db.usernme' (did you mean 'db.username'?)",
         b"db:\n  usernme: reader\n", name="site.yaml"),
    Case("waiver-rule", "waiver file with a malformed rule id",
         refused(WAIVERS, "merge --waivers {file} good.yaml"),
         "{file}:2: waiver rule 'bad' is not a rule id like OH-SHR-001",
         b"waivers:\n  - rule: bad\n    reason: x\n", name="waivers.yaml"),
    Case("waiver-shape", "waiver file without a `waivers:` list", refused(WAIVERS),
         "{file}: a waiver file holds one key, 'waivers:', with a list", b"rules: []\n",
         name="waivers.yaml"),
    # --- arguments ----------------------------------------------------------------------------
    Case("set-no-equals", "`--set` without `=`",
         refused("generate --set novalue", "merge --set novalue good.yaml",
                 "init new --set novalue"), "--set 'novalue': expected KEY=VALUE"),
    Case("set-empty-key", "`--set` with an empty key",
         refused("generate --set =x", "merge --set =x good.yaml"), "--set '=x': the key is empty"),
    Case("set-unknown-key", "`--set` with an unknown key",
         refused("generate --set db.usernme=x", "init new --set db.usernme=x"),
         "--set: unknown site value 'db.usernme' (did you mean 'db.username'?)"),
    Case("unknown-profile", "unknown profile name",
         refused("generate --profile paranoid", "check --profile paranoid good.yaml",
                 "merge --profile paranoid good.yaml", "profiles show paranoid",
                 "profiles diff strict paranoid", "init new --profile paranoid"),
         "unknown profile 'paranoid' (built-in profiles: dev, standard, strict)"),
    Case("unknown-target", "unknown target name",
         refused("generate --target c9", "check --target c9 good.yaml",
                 "merge --target c9 good.yaml", "values --target c9",
                 "profiles show strict --target c9", "init new --target c9"),
         "unknown target 'c9' (choose c7 or c8)"),
)  # fmt: skip


@dataclass(frozen=True)
class Fault:
    """A failure only a monkeypatch can cause as root: tested in process, documented here."""

    id: str
    input: str
    commands: tuple[str, ...]
    message: str
    exit_code: int = 2
    behaviour: str = "refused, nothing written"


FAULTS: tuple[Fault, ...] = (
    Fault("unreadable", "unreadable file (permission denied)",
          ("check {file}", "merge {file}", "generate --values {file}"),
          "{file}: cannot read file: Permission denied"),
    Fault("output-missing-dir", "output into a missing directory",
          ("generate --output {out}", "merge good.yaml --output {out}"),
          "{dir}: directory does not exist"),
    Fault("output-read-only", "output into a read-only directory",
          ("generate --output {out}", "merge good.yaml --output {out}",
           "merge --in-place good.yaml", "init new --non-interactive --profile dev"),
          "Permission denied"),
    Fault("disk-full", "disk full (ENOSPC) while writing",
          ("generate --output {out}", "generate --profile dev --output {out}",
           "merge good.yaml --output {out}", "merge --in-place good.yaml",
           "init new --non-interactive --profile dev"),
          "No space left on device", behaviour="refused; temp files removed, original intact"),
    Fault("interrupt", "Ctrl-C at any point of a command",
          ("generate --output {out}", "merge --in-place good.yaml",
           "merge good.yaml --output {out}", "check good.yaml",
           "init new --non-interactive --profile dev", "values", "profiles show strict"),
          "optimize-harden: interrupted", exit_code=130,
          behaviour="exit 130, one line; temp files removed, original intact"),
)  # fmt: skip


def prepare(case: Case, directory: Path) -> None:
    """Lay out one case: a good config beside the hostile file (built lazily where it is big)."""
    directory.mkdir()
    (directory / "good.yaml").write_bytes(GOOD)
    target = directory / case.name
    if isinstance(case.file, bytes):
        target.write_bytes(case.file)
    elif case.file is not None:
        case.file(target)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _message(template: str, name: str) -> str:
    return template.replace("{file}", name).replace("{dir}", "DIR").replace("{out}", "OUT")


def _commands(templates: Mapping[str, int] | tuple[str, ...], name: str) -> str:
    items = templates.items() if isinstance(templates, Mapping) else ((t, None) for t in templates)
    shown = []
    for template, code in items:
        text = f"`{_message(template, name)}`"
        shown.append(text if code in (None, 2) else f"{text} → {code}")
    return "<br>".join(shown)


def render_markdown() -> str:
    """docs/hostile-inputs.md, from CASES and FAULTS."""
    lines = [
        "# Hostile inputs",
        "",
        "<!-- Generated by `python -m tests.hostile_cases` from tests/hostile_cases.py; "
        "tests/test_hostile.py fails when this file drifts. -->",
        "",
        "What every command does with a bad file or argument. The promise: one line on stderr",
        "(`optimize-harden: error: FILE:LINE:COLUMN: message` where a position applies), exit",
        "code 2, no traceback, and no file created, changed or left half-written. Valid edge",
        "cases show their exit code after the arrow (1: findings). Each row is a test that runs",
        "the command in a fresh directory (the app `python -m hardener` runs, in process) and",
        "compares every file afterwards.",
        "",
        "Limits: files up to "
        f"{MAX_CONFIG_BYTES} bytes ({MAX_CONFIG_BYTES // MiB} MiB, checked before reading); "
        f"nesting up to {MAX_DEPTH} levels; aliases read as Optimize reads them (the anchor's "
        "name), so they never expand; no recursive aliases; only YAML's standard tags.",
        "",
        "| Input | Command(s) | Behaviour | Message (stderr) |",
        "|---|---|---|---|",
    ]
    for case in CASES:
        message = f"`{_cell(_message(case.message, case.name))}`" if case.message else "–"
        lines.append(
            f"| {_cell(case.input)} | {_commands(case.commands, case.name)} | "
            f"{case.behaviour} | {message} |"
        )
    lines += [
        "",
        "Failures that cannot be staged for root (who may read and write anything) are",
        "simulated in process (the file or system call is patched to fail) through the same",
        "command-line app:",
        "",
        "| Input | Command(s) | Behaviour | Message (stderr) |",
        "|---|---|---|---|",
    ]
    for fault in FAULTS:
        lines.append(
            f"| {_cell(fault.input)} | {_commands(fault.commands, 'FILE')} | {fault.behaviour} "
            f"| `{_cell(_message(fault.message, 'FILE'))}` |"
        )
    return "\n".join(lines) + "\n"


DOC = Path(__file__).resolve().parents[1] / "docs" / "hostile-inputs.md"


if __name__ == "__main__":
    DOC.write_text(render_markdown(), encoding="utf-8")
    print(f"wrote {os.path.relpath(DOC)}")
