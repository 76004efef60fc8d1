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
import stat
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
    absent: str = ""  # a canary (a secret's text) that neither stream may hold, whatever the code


def refused(*templates: str) -> dict[str, int]:
    return dict.fromkeys(templates, 2)


# Who reads a file: check (libyaml compose), merge (round trip), a values file and a profile
# (fast plain load with a precise fallback), init's values, waiver files.
CHECK, MERGE = "check {file}", "merge --in-place {file}"
VALUES, PROFILE = "generate --values {file}", "profiles show {file}"
INIT = "init new --non-interactive --values {file}"
WAIVERS = "check --waivers {file} good.yaml"
EFFECTIVE = "effective {file}"
READERS = refused(CHECK, MERGE, VALUES, EFFECTIVE)
GEN_OUT, MERGE_OUT = "generate --output {file}", "merge good.yaml --output {file}"
INIT_DIR = "init {file} --non-interactive --profile dev"
ALL_READERS = refused(CHECK, MERGE, VALUES, PROFILE, INIT, WAIVERS, EFFECTIVE)


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


def _fifo(path: Path) -> None:
    os.mkfifo(path)  # nothing ever opens the other end: a blocking open would wait forever


def _socket(path: Path) -> None:
    os.mknod(path, stat.S_IFSOCK | 0o600)  # needs no privilege, unlike a device


def _fifo_beside_config(path: Path) -> None:
    path.mkdir()
    os.mkfifo(path / "environment-config.yaml")
    (path / "environment-config-real.yaml").write_bytes(GOOD)


def _link_elsewhere(path: Path) -> None:
    path.with_name("elsewhere.yaml").write_bytes(GOOD)
    path.symlink_to("elsewhere.yaml")


def _open_folder(path: Path) -> None:
    path.mkdir()
    path.chmod(0o777)  # explicit: mkdir's mode is narrowed by the umask


def _open_subfolder(path: Path) -> None:
    path.mkdir(mode=0o700)
    (path / "config").mkdir()
    (path / "config").chmod(0o777)


def _strict_with(old: str, new: str) -> Builder:
    """The strict profile's own config with one edit: the evasion is the only weakness."""

    def build(path: Path) -> None:
        from hardener import api

        text = api.generate("strict", "c7").text
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return build


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
CSP_END = 'upgrade-insecure-requests"'
EVADE = {CHECK: 1, "merge --check --diff {file}": 1}
EVADED = (
    "valid: finding OH-CSP-003 and a header grade below A+; `merge --check` exits 1 and "
    "its diff replaces the policy"
)
LINE = "site values are one line of text"
ROGUE_URL = "engine.rest_url=https://e/x\nCAMUNDA_OPTIMIZE_CONTAINER_PORTS_HTTP=8090\nX="
TIMESTAMP = b"email:\n  authentication:\n    password: !!timestamp CANARY-ts\n"
USERINFO = b"engines:\n  camunda-bpm:\n    rest: http://user:CANARY@engine:8080/engine-rest\n"
NOT_SHOWN = "the secret (`CANARY…`) is never printed"


def set_everywhere(assignment: str, merge: bool = True, init: bool = True) -> dict[str, int]:
    """One ``--set`` through every command that takes site values."""
    return refused(f"generate --set '{assignment}'",
                   *([f"merge --set '{assignment}' good.yaml"] if merge else []),
                   *([f"init new --set '{assignment}'"] if init else []))  # fmt: skip


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
    Case("device", "a device that never ends (a symlink to `/dev/zero`)", ALL_READERS,
         "{file}: is a character device, not a regular file", _endless,
         behaviour="refused from `stat`, before it is opened"),
    Case("missing", "missing file", refused(CHECK, MERGE, VALUES, INIT, WAIVERS),
         "{file}: file not found", name="nope.yaml"),
    Case("missing-profile", "missing profile file", refused(PROFILE, "generate --profile {file}"),
         "{file}: profile file not found", name="nope.yaml"),
    Case("dangling-symlink", "dangling symbolic link", refused(CHECK, MERGE, VALUES),
         "{file}: file not found", _dangling),
    Case("empty-dir", "`check` on a directory without environment-config*.yaml", refused(CHECK),
         "{file}: no environment-config*.yaml below this directory", _directory, name="conf"),
    # --- files that are not what they seem (FIFOs, sockets, links and folders others own) ----
    Case("fifo", "a FIFO (named pipe) nobody writes to", {**ALL_READERS, "merge {file}": 2},
         "{file}: is a FIFO (named pipe), not a regular file", _fifo,
         behaviour="refused without blocking (`stat`, then `O_NONBLOCK` open and `fstat`)"),
    Case("socket", "a Unix socket", refused(CHECK, MERGE, VALUES, PROFILE),
         "{file}: is a socket, not a regular file", _socket),
    Case("fifo-in-walk", "`check DIR` where one environment-config*.yaml is a FIFO",
         {CHECK: 1}, file=_fifo_beside_config, name="conf",
         behaviour="skipped with a note on stderr; the other files are checked", stdout="OH-"),
    Case("output-fifo", "a FIFO at an `--output` path", refused(GEN_OUT, MERGE_OUT),
         "{file}: is a FIFO (named pipe), not a regular file; --output creates a file or "
         "replaces a regular one", _fifo, name="out.yaml"),
    Case("output-socket", "a Unix socket at an `--output` path", refused(GEN_OUT, MERGE_OUT),
         "{file}: is a socket, not a regular file; --output creates a file or replaces a "
         "regular one", _socket, name="out.yaml"),
    Case("output-directory", "a directory at an `--output` path", refused(GEN_OUT, MERGE_OUT),
         "{file}: is a directory, not a regular file; --output creates a file or replaces a "
         "regular one", _directory, name="out.yaml"),
    Case("output-symlink", "a symbolic link at an `--output` path (to another file)",
         refused(GEN_OUT, MERGE_OUT),
         "{file}: is a symbolic link; --output does not write through links: name the file "
         "itself", _link_elsewhere, name="out.yaml",
         behaviour="refused, nothing written (`merge --output` onto a link to CONFIG itself "
         "is the in-place merge)"),
    Case("output-dangling-symlink", "a dangling symbolic link at an `--output` path",
         refused(GEN_OUT, MERGE_OUT),
         "{file}: is a symbolic link; --output does not write through links: name the file "
         "itself", _dangling, name="out.yaml"),
    Case("init-open-dir", "`init DIR` on an empty DIR that others may write to (0777)",
         refused(INIT_DIR, INIT_DIR + " --force"),
         "{file}: is writable by other users (mode 0777); init writes secrets there: "
         "chmod 700 it, or name a new directory", _open_folder, name="site"),
    Case("init-open-subfolder", "`init --force DIR` whose `config/` others may write to",
         refused(INIT_DIR + " --force"),
         "{file}/config: is writable by other users (mode 0777); init writes secrets there: "
         "chmod go-w it, or name a new directory", _open_subfolder, name="site"),
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
    # --- rules, explain, effective ------------------------------------------------------------
    Case("rules-format", "unknown output format for rules", refused("rules --format xml"),
         "unknown format 'xml' (choose text or json)"),
    Case("explain-unknown", "a rule id that does not exist", refused("explain OH-CNT-0001"),
         "unknown rule 'OH-CNT-0001' (did you mean OH-CNT-001"),
    Case("effective-format", "unknown output format for effective",
         refused("effective good.yaml --format xml"), "unknown format 'xml' (choose yaml or json)"),
    Case("effective-missing-variable", "a placeholder without default, no variable given",
         refused(EFFECTIVE), "{file}:2: ${{OPTIMIZE_HTTP}} has no default and is not set; "
         "Optimize would not start", b"container:\n  ports: {http: '${OPTIMIZE_HTTP}'}\n"),
    Case("effective-bad-env", "`--env` without NAME=", refused("effective good.yaml --env nope"),
         "--env #1"),
    Case("effective-env-file", "an env file line a shell would expand",
         refused("effective good.yaml --env-file {file}"), "{file}:1: A:",
         b"A=$(touch PWNED)\n", name="site.env"),
    # --- values, text and evasions (CSP scope, values as Optimize reads them, control
    # characters, URL userinfo, tags never constructed, invalid UTF-8, init's own consistency) --
    Case("csp-script-src-elem", "strict CSP plus `; script-src-elem 'unsafe-inline'`", EVADE,
         file=_strict_with(CSP_END, "upgrade-insecure-requests; script-src-elem 'unsafe-inline'\""),
         behaviour=EVADED, stdout="script-src-elem"),
    Case("csp-script-src-attr", "strict CSP plus `; script-src-attr 'unsafe-inline'`", EVADE,
         file=_strict_with(CSP_END, "upgrade-insecure-requests; script-src-attr 'unsafe-inline'\""),
         behaviour=EVADED, stdout="script-src-attr"),
    Case("csp-wildcard-host", "strict CSP with a wildcard host (`*.com`) in script-src", EVADE,
         file=_strict_with("script-src 'self';", "script-src 'self' *.com;"),
         behaviour=EVADED, stdout="*.com"),
    Case("placeholder-literal-secret", "`password: \"${NOPE:}CANARY-smtp\"` (text around an "
         "empty placeholder)", {CHECK: 1},
         file=b'email:\n  authentication:\n    password: "${NOPE:}CANARY-smtp"\n',
         behaviour=f"valid: check finds OH-SEC-001 (the text is literal to Optimize); {NOT_SHOWN}",
         stdout="OH-SEC-001", absent="CANARY"),
    Case("placeholder-banned-user", "`username: \"elas${X:}tic\"` (Optimize reads `elastic`)",
         {CHECK: 1}, file=b'es:\n  security:\n    username: "elas${X:}tic"\n',
         behaviour="valid: finding OH-DB-006 (the cluster superuser)", stdout="OH-DB-006"),
    Case("merge-key-http", "`ports: {<<: {http: null}}` (`<<` is an ordinary key to Optimize)",
         {CHECK: 1}, file=b"container:\n  ports: {<<: {http: null}}\n",
         behaviour="valid: finding OH-CNT-001 (HTTP is still on) and OH-YAML-002",
         stdout="OH-CNT-001"),
    Case("set-placeholder-user", "`--set 'db.username=elas${A:}tic'` (resolves to `elastic`)",
         set_everywhere("db.username=elas${{A:}}tic", init=False),
         "site value 'db.username' comes from ${{A}}, which could weaken it (OH-DB-006"),
    Case("set-newline", "`--set` value with a newline (a second `--format env` assignment)",
         {**set_everywhere(ROGUE_URL), **refused(f"generate --format env --set '{ROGUE_URL}'")},
         f"--set: site value 'engine.rest_url': contains a control character (U+000A); {LINE}"),
    Case("set-carriage-return", "`--set` value with a carriage return",
         set_everywhere("engine.alias=a\rb"),
         f"--set: site value 'engine.alias': contains a control character (U+000D); {LINE}"),
    Case("set-escape", "`--set` value with a terminal escape (ESC, C0)",
         set_everywhere("engine.alias=a\x1b[2Jb"),
         f"--set: site value 'engine.alias': contains a control character (U+001B); {LINE}"),
    Case("set-next-line", "`--set` value with U+0085 (NEL, C1)",
         set_everywhere("engine.alias=a\x85b"),
         f"--set: site value 'engine.alias': contains a control character (U+0085); {LINE}"),
    Case("set-line-separator", "`--set` value with U+2028 (line separator)",
         set_everywhere("db.username=a\u2028b"),
         f"--set: site value 'db.username': contains a control character (U+2028); {LINE}"),
    Case("set-paragraph-separator", "`--set` value with U+2029 (paragraph separator)",
         set_everywhere("engine.user=a\u2029b"),
         f"--set: site value 'engine.user': contains a control character (U+2029); {LINE}"),
    Case("values-nul", "values file with a NUL (`\"a\\0b\"`)", refused(VALUES, INIT),
         f"{{file}}: site value 'engine.alias': contains a control character (U+0000); {LINE}",
         b'engine:\n  alias: "a\\0b"\n', name="site.yaml"),
    Case("values-newline", "values file with a newline in a list item", refused(VALUES, INIT),
         f"{{file}}: site value 'db.ca_paths': contains a control character (U+000A); {LINE}",
         b'db:\n  ca_paths: ["ca.pem\\nx: y"]\n', name="site.yaml"),
    Case("set-invalid-utf8", "`--set` value that is not UTF-8 (`\\xff` arrives as U+DCFF)",
         set_everywhere("engine.alias=\udcff"),
         "--set: site value 'engine.alias': contains invalid UTF-8 (a lone surrogate) (U+DCFF)"),
    Case("values-lone-surrogate", "values file with a lone surrogate (`\"\\ud800\"`)",
         refused(VALUES, INIT),
         "{file}: site value 'engine.alias': contains invalid UTF-8 (a lone surrogate) (U+D800)",
         b'engine:\n  alias: "a\\ud800"\n', name="site.yaml"),
    Case("set-url-userinfo", "`--set` URL with `user:password@`",
         set_everywhere("engine.rest_url=http://user:CANARY@engine/x"),
         "--set: site value 'engine.rest_url': holds credentials (user:password@) in the URL; "
         "pass them in variables instead", absent="CANARY"),
    Case("values-url-userinfo", "values file URL with `user:password@`", refused(VALUES, INIT),
         "{file}: site value 'api.jwt_set_uri': holds credentials (user:password@) in the URL",
         b"api:\n  jwt_set_uri: https://u:CANARY@idp/jwks\n", name="site.yaml", absent="CANARY"),
    Case("config-url-userinfo", "config URL with `user:password@` (engine REST)",
         {"merge --check {file}": 1, "merge --check --report json {file}": 1,
          "merge --check --diff {file}": 1, CHECK: 1}, file=USERINFO, absent="CANARY",
         behaviour="valid: reports, diff and findings show the userinfo as `********@`"),
    Case("timestamp-secret", "`password: !!timestamp CANARY-ts`",
         {CHECK: 1, "merge --check --diff {file}": 1}, file=TIMESTAMP, absent="CANARY",
         behaviour=f"valid: read as text, never constructed as a timestamp; {NOT_SHOWN}"),
    Case("timestamp-values", "the same file as a values file", refused(VALUES, INIT),
         "{file}: unknown site value 'email.authentication.password'", TIMESTAMP,
         absent="CANARY"),
    Case("timestamp-profile", "the same file as a profile", refused(PROFILE),
         "{file}:1:1: unknown top-level key 'email'", TIMESTAMP, absent="CANARY"),
    Case("timestamp-waivers", "the same file as a waiver file", refused(WAIVERS),
         "{file}: a waiver file holds one key, 'waivers:', with a list", TIMESTAMP,
         absent="CANARY"),
    Case("set-context-path", "`--set container.context_path=…` (init never wrote it)",
         set_everywhere("container.context_path=/optimize"),
         "--set: unknown site value 'container.context_path'"),
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
    text = template.replace("{file}", name).replace("{dir}", "DIR").replace("{out}", "OUT")
    return text.replace("{{", "{").replace("}}", "}")  # as str.format shows escaped braces


def _visible(text: str) -> str:
    """Control characters and lone surrogates as Python escapes: a table cell is one line."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def _commands(templates: Mapping[str, int] | tuple[str, ...], name: str) -> str:
    items = templates.items() if isinstance(templates, Mapping) else ((t, None) for t in templates)
    shown = []
    for template, code in items:
        text = f"`{_visible(_message(template, name))}`"
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
