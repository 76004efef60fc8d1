"""A real oracle for tests: what Jackson's YAML tree reader (as Camunda Optimize uses it) makes
of a YAML document.

Optimize reads ``environment-config.yaml`` with ``YAMLMapper.readTree`` (jackson-dataformat-yaml
2.17.2 over SnakeYAML 2.2). ``tests/oracle/JacksonTree.java`` is a small line-protocol server
built on exactly those jars; this module starts it once (``java -cp JARS JacksonTree.java``: the
JDK's single-file source launcher compiles it in memory, no build tool) and decodes its typed
answers into plain Python values.

The jars are looked up in Maven's default local repository under the home directory, or taken
from the environment variable ``OPTIMIZE_HARDEN_JACKSON_CLASSPATH`` (a ``java -cp`` value).
Tests call :func:`oracle_or_skip`, which skips with the exact missing piece when Java or a jar
is absent, except under CI (``CI`` set), where it fails instead.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Final, NoReturn

import pytest

CLASSPATH_ENV: Final = "OPTIMIZE_HARDEN_JACKSON_CLASSPATH"
SOURCE: Final = Path(__file__).resolve().parent / "oracle" / "JacksonTree.java"

# (group path, artifact, version) of each jar, in Maven repository layout.
JARS: Final[tuple[tuple[str, str, str], ...]] = (
    ("com/fasterxml/jackson/core", "jackson-databind", "2.17.2"),
    ("com/fasterxml/jackson/core", "jackson-core", "2.17.2"),
    ("com/fasterxml/jackson/core", "jackson-annotations", "2.17.2"),
    ("com/fasterxml/jackson/dataformat", "jackson-dataformat-yaml", "2.17.2"),
    ("org/yaml", "snakeyaml", "2.2"),
)

#: Seconds to wait for one answer; the first one also covers JVM start and compilation.
REQUEST_TIMEOUT: Final = 20.0
FIRST_REQUEST_TIMEOUT: Final = 90.0


def maven_repository() -> Path:
    """Maven's default local repository, ``~/.m2/repository``."""
    return Path.home() / ".m2" / "repository"


def jar_paths() -> list[Path]:
    """Where the five jars are expected in the local Maven repository."""
    repo = maven_repository()
    return [
        repo / group / artifact / version / f"{artifact}-{version}.jar"
        for group, artifact, version in JARS
    ]


def _missing() -> list[str]:
    missing: list[str] = []
    if shutil.which("java") is None:
        missing.append("`java` is not on PATH")
    if not os.environ.get(CLASSPATH_ENV):
        missing.extend(f"jar not found: {jar}" for jar in jar_paths() if not jar.is_file())
    if not SOURCE.is_file():
        missing.append(f"oracle source not found: {SOURCE}")
    return missing


def missing_reason() -> str:
    """What keeps the oracle from running, in words; empty when nothing is missing."""
    missing = _missing()
    if not missing:
        return ""
    return (
        "Jackson oracle unavailable: "
        + "; ".join(missing)
        + f" (set {CLASSPATH_ENV} to a java -cp value holding jackson-databind, jackson-core, "
        "jackson-annotations and jackson-dataformat-yaml 2.17.2 and snakeyaml 2.2)"
    )


def find_classpath() -> str | None:
    """The ``java -cp`` value for the oracle, or None when Java or a jar is missing."""
    if _missing():
        return None
    configured = os.environ.get(CLASSPATH_ENV)
    if configured:
        return configured
    return os.pathsep.join(str(jar) for jar in jar_paths())


@dataclass(frozen=True)
class Other:
    """A node of a kind the encoding has no type for, e.g. ``MissingNode`` (empty document)."""

    description: str

    @property
    def is_missing(self) -> bool:
        return self.description.startswith("MissingNode")


class DecimalFloat(float):
    """A float that Jackson held as a BigDecimal (``"t": "decimal"``); ``text`` is its plain
    string."""

    text: str

    def __new__(cls, text: str) -> DecimalFloat:
        value = super().__new__(cls, text)
        value.text = text
        return value


@dataclass(frozen=True)
class OracleResult:
    """One answer: ``tree`` (decoded) when ``ok``, else ``error`` (``"Class: first line"``)."""

    ok: bool
    tree: Any = None
    error: str = ""
    detail: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def missing(self) -> bool:
        """True when readTree gave a MissingNode (no content at all)."""
        return isinstance(self.tree, Other) and self.tree.is_missing


def decode(node: Any) -> Any:
    """Turns the oracle's typed encoding into plain Python values.

    map -> dict (insertion order), seq -> list, str, bool, None, int, float ("float"; "decimal"
    gives a :class:`DecimalFloat`, a float subclass), bytes (binary), :class:`Other` for the rest.
    """
    kind = node["t"]
    if kind == "map":
        return {key: decode(value) for key, value in node["v"]}
    if kind == "seq":
        return [decode(item) for item in node["v"]]
    if kind == "str":
        return node["v"]
    if kind == "bool":
        return bool(node["v"])
    if kind == "null":
        return None
    if kind == "int":
        return int(node["v"])
    if kind == "float":
        return float(node["v"])
    if kind == "decimal":
        return DecimalFloat(node["v"])
    if kind == "binary":
        return base64.b64decode(node["v"])
    return Other(str(node.get("v", "")))


def _loads(line: str) -> Any:
    """json.loads that tolerates the deep nesting of a deep (but accepted) YAML tree."""
    try:
        return json.loads(line)
    except RecursionError:
        previous = sys.getrecursionlimit()
        sys.setrecursionlimit(max(previous, 100_000))
        try:
            return json.loads(line)
        finally:
            sys.setrecursionlimit(previous)


def _decode_deep(node: Any) -> Any:
    try:
        return decode(node)
    except RecursionError:
        previous = sys.getrecursionlimit()
        sys.setrecursionlimit(max(previous, 100_000))
        try:
            return decode(node)
        finally:
            sys.setrecursionlimit(previous)


class JacksonOracle:
    """One long-running ``JacksonTree.java`` process; use :meth:`read` for each document."""

    def __init__(self, classpath: str | None = None, java: str = "java") -> None:
        self._classpath = classpath
        self._java = java
        self._process: subprocess.Popen[bytes] | None = None
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self._stderr: list[bytes] = []
        self._threads: list[threading.Thread] = []
        self._answered = False
        self._lock = threading.Lock()

    # -- life cycle ----------------------------------------------------------------------------

    def start(self) -> JacksonOracle:
        if self._process is not None:
            return self
        classpath = self._classpath or find_classpath()
        if classpath is None:
            raise RuntimeError(missing_reason())
        self._process = subprocess.Popen(
            [self._java, "-cp", classpath, str(SOURCE)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self._process.stdout is not None and self._process.stderr is not None
        self._threads = [
            threading.Thread(target=self._pump_stdout, args=(self._process.stdout,), daemon=True),
            threading.Thread(target=self._pump_stderr, args=(self._process.stderr,), daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            self._reap(process, grace=10.0)

    def _reap(self, process: subprocess.Popen[bytes], grace: float) -> None:
        """Ends ``process`` (EOF on stdin, then kill after ``grace`` s) and closes its pipes."""
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()

    def __enter__(self) -> JacksonOracle:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- requests ------------------------------------------------------------------------------

    def read(self, text: str, *, mode: str = "tree", timeout: float | None = None) -> OracleResult:
        """What Jackson makes of ``text``.

        ``mode``: ``"tree"`` readTree(InputStream of UTF-8 bytes), as Optimize reads its files;
        ``"string"`` readTree(String); ``"list"`` readValue(String, List<Object>), as Optimize
        re-reads a resolved value that looks like ``[...]``.
        """
        return self._request({"text": text, "mode": mode}, timeout)

    def read_bytes(self, data: bytes, *, timeout: float | None = None) -> OracleResult:
        """readTree over raw bytes (for BOM and encoding experiments)."""
        return self._request({"b64": base64.b64encode(data).decode("ascii")}, timeout)

    def _request(self, request: dict[str, Any], timeout: float | None) -> OracleResult:
        with self._lock:
            process = self._process
            if process is None or process.stdin is None:
                raise RuntimeError("JacksonOracle is not started")
            if timeout is None:
                timeout = REQUEST_TIMEOUT if self._answered else FIRST_REQUEST_TIMEOUT
            payload = json.dumps(request, ensure_ascii=True).encode("ascii") + b"\n"
            try:
                process.stdin.write(payload)
                process.stdin.flush()
            except OSError as exc:
                self._died(process, f"could not send the request ({exc})")
            try:
                line = self._lines.get(timeout=timeout)
            except queue.Empty:
                process.kill()
                self._died(process, f"no answer within {timeout:g} s")
            if line is None:
                self._died(process, "the process ended")
            self._answered = True
        answer = _loads(line.decode("utf-8"))
        if answer.get("ok"):
            return OracleResult(ok=True, tree=_decode_deep(answer["tree"]), raw=answer)
        return OracleResult(
            ok=False,
            error=str(answer.get("error", "")),
            detail=str(answer.get("detail", "")),
            raw=answer,
        )

    def _died(self, process: subprocess.Popen[bytes], what: str) -> NoReturn:
        self._process = None
        self._reap(process, grace=5.0)
        stderr = b"".join(self._stderr).decode("utf-8", "replace").strip()
        raise RuntimeError(
            f"Jackson oracle failed: {what}; exit code {process.returncode}; "
            f"stderr: {stderr or '(empty)'}"
        )

    def _pump_stdout(self, stream: Any) -> None:
        for line in iter(stream.readline, b""):
            self._lines.put(line)
        self._lines.put(None)

    def _pump_stderr(self, stream: Any) -> None:
        for chunk in iter(stream.readline, b""):
            self._stderr.append(chunk)


def oracle_or_skip() -> JacksonOracle:
    """A started (and answering) oracle; ``pytest.skip`` with the missing piece when Java or a
    jar is absent, or ``pytest.fail`` instead when ``CI`` is set: CI must run the oracle tests.

    A failure after the prerequisites were found (the source does not compile, the JVM dies) is
    raised as an error, never skipped.
    """
    reason = missing_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
        pytest.skip(reason)
    oracle = JacksonOracle().start()
    try:
        warm_up = oracle.read("ping: 1\n")
        if warm_up.tree != {"ping": 1}:
            raise RuntimeError(f"Jackson oracle gave a wrong answer to a warm-up: {warm_up}")
    except BaseException:
        oracle.close()
        raise
    return oracle
