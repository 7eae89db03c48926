"""Run a function in a child process with bounded memory and time (for untrusted input).

The child gets an address-space limit (``RLIMIT_AS``: the memory it may add to what it starts
with) and a CPU-time limit (``RLIMIT_CPU``), and is killed after a wall-clock limit. A child that
goes over a limit, runs out of memory, recurses too deep or dies of a signal becomes
:class:`LimitExceeded`, with a Spanish reason and what to do; nothing it prints reaches the person
(its standard error goes to /dev/null). An exception the function raises comes back as itself,
its traceback text as its ``__cause__`` (for a crash report).

How: a warm *helper* process (started once with ``spawn``, so it shares no thread or lock with
the caller) imports the function's module on its first call and then forks one child per call,
which sets its limits and runs the function; the helper waits for it with the wall-clock limit
and reports how it ended. A call costs a fork and the pickling of arguments and result (a few
milliseconds), not an interpreter start with its imports (1 to 2 s for pikepdf, pyHanko, pdfium
and reportlab). At most one call per CPU runs at a time, across threads (one helper each), so
memory stays within that many times the limit. Made for Linux (``/proc``, ``prctl``); other
Unix systems get what their ``setrlimit`` enforces (macOS ignores ``RLIMIT_AS``).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import pickle
import resource
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

from robot.settings import SETTINGS, resolve

T = TypeVar("T")

WALL_FACTOR = 4  # the wall-clock limit: this many times the CPU limit, plus WALL_EXTRA seconds
WALL_EXTRA = 10.0
_HELPER_SLACK = 30.0  # seconds a helper may take beyond the wall-clock limit to answer
_MB = 1024 * 1024
_EXIT_MEMORY = 3  # the child could not even send its MemoryError back
_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies

_SPAWN = multiprocessing.get_context("spawn")
_CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
_SLOTS = threading.BoundedSemaphore(max(1, _CPUS or 1))
_IDLE: list[_Helper] = []
_IDLE_LOCK = threading.Lock()
_LOCAL = threading.local()


@dataclass(frozen=True)
class Limits:
    """Memory (MB the child may add to its start), CPU seconds and wall-clock seconds (by
    default WALL_FACTOR times the CPU limit plus WALL_EXTRA: room for a loaded machine); the
    names of the settings that give them, for the message that says how to raise them."""

    memory_mb: int
    cpu_seconds: int
    memory_setting: str = ""
    cpu_setting: str = ""
    wall: float | None = None

    @classmethod
    def from_settings(cls, memory_setting: str, cpu_setting: str) -> Limits:
        memory, cpu = int(resolve(memory_setting)), int(resolve(cpu_setting))
        return cls(memory, cpu, memory_setting, cpu_setting)

    @property
    def wall_seconds(self) -> float:
        return self.wall if self.wall is not None else WALL_FACTOR * self.cpu_seconds + WALL_EXTRA


@dataclass(frozen=True)
class Usage:
    """What a child that answered (its function's result or error) used: peak address space
    above its start (MB, what the memory limit bounds), peak resident memory above its start
    (MB), CPU seconds, and wall-clock seconds of the whole call."""

    address_mb: float
    memory_mb: float
    cpu_seconds: float
    wall_seconds: float


class LimitExceeded(Exception):
    """The child went over a limit (``kind``: memory, cpu, wall, depth or crash)."""

    def __init__(self, kind: str, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.hint = hint


class RemoteTraceback(Exception):
    """The child's traceback, as text (the ``__cause__`` of an error it raised)."""


def last_usage() -> Usage | None:
    """The usage of this thread's last call, if its child answered (None after a limit)."""
    return getattr(_LOCAL, "usage", None)


def call(
    fn: Callable[..., T], *args: Any, limits: Limits, warm: Callable[[], object] | None = None
) -> T:
    """``fn(*args)`` in a child process under ``limits``. ``fn``, its arguments and its result
    must pickle (``fn`` a module-level function). ``warm``, if given, runs once in the helper
    before its first child, without limits (trusted work only): what every call would otherwise
    load or build again (lazy imports, caches) is then inherited by each child."""
    task = pickle.dumps((fn, args, limits, warm))
    _LOCAL.usage = None
    started = time.monotonic()
    with _SLOTS:
        helper = _take()
        try:
            how, code, usage, raw = helper.run(task, limits.wall_seconds + _HELPER_SLACK)
            if how == "lost":  # it died while idle: the task never reached it
                helper.close()
                helper = _Helper()
                how, code, usage, raw = helper.run(task, limits.wall_seconds + _HELPER_SLACK)
        except BaseException:  # an interrupt: the helper is never reused
            helper.close()
            raise
        if how in ("stuck", "gone"):
            helper.close()
        else:
            _give_back(helper)
    if how != "answer":
        raise _over(limits, "wall" if how in ("wall", "stuck") else _kind_of(code), code)
    kind, value, address = _loads(raw)
    if kind not in ("ok", "error"):
        raise _over(limits, kind, code)
    _LOCAL.usage = Usage(address, usage[0], usage[1], time.monotonic() - started)
    if kind == "ok":
        return value  # type: ignore[no-any-return]
    error, text = value
    error.__cause__ = RemoteTraceback(text)
    raise error


def _loads(raw: bytes) -> tuple[str, Any, float]:
    try:
        answer: tuple[str, Any, float] = pickle.loads(raw)  # noqa: S301 - our child's answer
    except Exception as err:  # an error class the parent cannot rebuild
        return ("error", (RuntimeError(f"la respuesta del proceso hijo no se lee: {err}"), ""), 0)
    return answer


class _Helper:
    """A warm process that forks one limited child per task (see the module's docstring)."""

    def __init__(self) -> None:
        self.conn, theirs = _SPAWN.Pipe()
        self.process = _SPAWN.Process(target=_serve, args=(theirs,), daemon=True)
        self.process.start()
        theirs.close()

    def run(self, task: bytes, timeout: float) -> tuple[str, int | None, Any, bytes]:
        """How it ended (the child's answer; killed at the wall-clock limit; dead; the helper
        lost before the task, stuck or gone during it), the child's exit code, usage, answer."""
        try:
            self.conn.send_bytes(task)
        except OSError:
            return "lost", None, None, b""
        if not self.conn.poll(timeout):
            return "stuck", None, None, b""
        try:
            how, code, usage = self.conn.recv()
            raw = self.conn.recv_bytes() if how == "answer" else b""
        except (EOFError, OSError):  # the helper itself was killed (the kernel's OOM killer)
            return "gone", -signal.SIGKILL, None, b""
        return how, code, usage, raw

    def close(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


def _take() -> _Helper:
    with _IDLE_LOCK:
        while _IDLE:
            helper = _IDLE.pop()
            if helper.process.is_alive():
                return helper
            helper.close()
    return _Helper()


def _give_back(helper: _Helper) -> None:
    if not helper.process.is_alive():
        helper.close()
        return
    with _IDLE_LOCK:
        _IDLE.append(helper)


def _serve(conn: Connection) -> None:
    """The helper: for each task, fork a child, wait for it, say how it ended."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the caller's to handle
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 2)  # a library's noise or a dying child's trace never reaches the person
    warmed = False
    while True:
        try:
            task = conn.recv_bytes()
        except (EOFError, OSError):  # the caller is gone
            return
        try:
            fn, args, limits, warm = pickle.loads(task)  # noqa: S301 - the caller's task
        except Exception as err:  # fn's module does not import here: the caller's bug
            text = "".join(traceback.format_exception(err))
            conn.send(("answer", 0, (0.0, 0.0)))
            conn.send_bytes(pickle.dumps(("error", (RuntimeError(str(err)), text), 0.0)))
            continue
        if warm is not None and not warmed:
            warmed = True
            with contextlib.suppress(Exception):  # only a head start: the child does it anyway
                warm()
        how, code, usage, raw = _supervise(conn, fn, args, limits)
        conn.send((how, code, usage))
        if how == "answer":
            conn.send_bytes(raw)


def _supervise(
    conn: Connection, fn: Callable[..., Any], args: tuple[Any, ...], limits: Limits
) -> tuple[str, int, tuple[float, float] | None, bytes]:
    receive, send = multiprocessing.Pipe(duplex=False)
    base_kb = _rss_kb()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            conn.close()
            receive.close()
            _child(send, fn, args, limits)
        finally:
            os._exit(0)
    send.close()
    how, raw = "dead", b""
    if receive.poll(limits.wall_seconds):
        with contextlib.suppress(EOFError, OSError):  # else it died without an answer
            raw, how = receive.recv_bytes(), "answer"
    else:
        how = "wall"
        os.kill(pid, signal.SIGKILL)
    receive.close()
    _, status, used = os.wait4(pid, 0)
    usage = (max(used.ru_maxrss - base_kb, 0) / 1024, used.ru_utime + used.ru_stime)
    return how, os.waitstatus_to_exitcode(status), usage, raw


def _child(send: Connection, fn: Callable[..., Any], args: tuple[Any, ...], limits: Limits) -> None:
    with contextlib.suppress(OSError, AttributeError):  # killed with the helper (Linux)
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    start = _address_space()
    _limit(resource.RLIMIT_AS, start + limits.memory_mb * _MB)
    _limit(resource.RLIMIT_CPU, limits.cpu_seconds)
    kind: str  # ok and the result, error and (it, its traceback), or a limit's kind
    value: Any = None
    try:
        kind, value = "ok", fn(*args)
    except MemoryError:
        kind = "memory"
    except RecursionError:
        kind = "depth"
    except BaseException as err:  # every failure goes back to the caller
        kind, value = "error", (err, "".join(traceback.format_exception(err)))
    address = (_peak_address_space() - start) / _MB
    try:
        raw = pickle.dumps((kind, value, address))
        pickle.loads(raw)  # noqa: S301 - an error class must rebuild on the caller's side
    except MemoryError:
        os._exit(_EXIT_MEMORY)
    except Exception as err:  # a result or an error that does not pickle
        what, text = value if kind == "error" else (value, "")
        problem = RuntimeError(f"{type(what).__name__} no vuelve del proceso hijo: {err}")
        raw = pickle.dumps(("error", (problem, text), address))
    send.send_bytes(raw)


def _limit(which: int, value: int) -> None:
    """Soft limit ``value``; the hard one a little above it (never above an existing hard one).
    Over the soft CPU limit the kernel sends SIGXCPU, which ends the child."""
    _, hard = resource.getrlimit(which)
    top = value + (2 if which == resource.RLIMIT_CPU else 0)
    if hard != resource.RLIM_INFINITY:
        value, top = min(value, hard), min(top, hard)
    resource.setrlimit(which, (value, top))


def _statm(field: int) -> int:
    """Bytes of this process's address space (0) or resident memory (1) now (Linux; 0
    elsewhere, where the address-space limit then counts from nothing)."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[field]) * resource.getpagesize()
    except OSError:
        return 0


def _address_space() -> int:
    return _statm(0)


def _peak_address_space() -> int:
    """The most bytes of address space this process has used (Linux: VmPeak)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024
    return _address_space()


def _rss_kb() -> int:
    return _statm(1) // 1024


def _kind_of(code: int | None) -> str:
    if code == -signal.SIGXCPU:
        return "cpu"
    if code == _EXIT_MEMORY:
        return "memory"
    return "crash"


def _over(limits: Limits, kind: str, code: int | None) -> LimitExceeded:
    memory = f"{limits.memory_mb} MB"
    raise_memory = _how_to_raise(limits.memory_setting, limits.memory_mb * 2)
    raise_cpu = _how_to_raise(limits.cpu_setting, limits.cpu_seconds * 2)
    otherwise = "si no, pida una copia exportada de nuevo"
    if kind == "memory":
        return LimitExceeded(
            kind,
            f"procesarlo necesita más memoria que el límite ({memory})",
            f"si el documento es legítimo, {raise_memory}; {otherwise}",
        )
    if kind == "cpu":
        return LimitExceeded(
            kind,
            f"procesarlo tomó más tiempo de CPU que el límite ({limits.cpu_seconds} s)",
            f"si el documento es legítimo, {raise_cpu}; {otherwise}",
        )
    if kind == "wall":
        return LimitExceeded(
            kind,
            f"procesarlo no terminó en el tiempo límite ({limits.wall_seconds:.0f} s)",
            f"si el equipo estaba muy cargado, repita; si el documento es legítimo, {raise_cpu} "
            f"(el tiempo límite es {WALL_FACTOR} veces ese más {WALL_EXTRA:.0f} s)",
        )
    if kind == "depth":
        return LimitExceeded(
            kind,
            "sus objetos están anidados a más profundidad de la que se puede recorrer",
            "vuelva a exportar el documento y reemplace el archivo",
        )
    why = f"la señal {signal.Signals(-code).name}" if code and code < 0 else f"el código {code}"
    return LimitExceeded(
        kind,
        f"el proceso que lo procesaba terminó de forma anormal ({why}), casi siempre por "
        f"falta de memoria (límite {memory})",
        f"si el documento es legítimo, {raise_memory}; {otherwise}",
    )


def _how_to_raise(setting: str, value: int) -> str:
    if setting not in SETTINGS:
        return "suba el límite"
    return f"suba el límite con {SETTINGS[setting].env}={value} (ver docs/settings.md)"
