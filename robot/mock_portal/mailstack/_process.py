"""A server subprocess that dies with the stack, and with the Python process that started it."""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import signal
import subprocess
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from robot.errors import SetupError

_PR_SET_PDEATHSIG = 1
_LIVE: weakref.WeakSet[ServerProcess] = weakref.WeakSet()


class ServerProcess:
    """One server process in its own process group, its output kept in ``log_path``.

    The group is killed on :meth:`kill`, at interpreter exit, and (when started from the main
    thread, on Linux) by the kernel if the parent dies first.
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        log_path: Path,
        env: Mapping[str, str] | None = None,
        extra_logs: Sequence[Path] = (),
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.env = dict(env) if env is not None else None
        self.extra_logs = list(extra_logs)
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        for extra in self.extra_logs:
            extra.unlink(missing_ok=True)
        with self.log_path.open("wb") as log:  # each start's output alone
            try:
                self._proc = subprocess.Popen(  # noqa: S603 - argv is built by the stack itself
                    self.argv,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=self.env,
                    start_new_session=True,
                    preexec_fn=_die_with_parent(),  # noqa: PLW1509 - only a prctl call
                )
            except OSError as err:
                raise SetupError(
                    f"no se pudo ejecutar {self.name}: {err}",
                    hint=f"check that {self.argv[0]} is installed",
                ) from err
        _LIVE.add(self)

    def check_alive(self) -> None:
        """Raise :class:`SetupError` with the server's output if the process has exited."""
        if self._proc is None or self._proc.poll() is None:
            return
        code = self._proc.returncode
        raise SetupError(
            f"{self.name} terminó al arrancar (código {code}). Su salida:\n{self.output()}",
            hint="read the server output above; a busy port or a bad install are the usual causes",
        )

    def exit_problem(self) -> str | None:
        """Why the server is gone, when it exited on its own after starting; None while it runs."""
        if self._proc is None or self._proc.poll() is None:
            return None
        return (
            f"{self.name} terminó inesperadamente (código {self._proc.returncode}). "
            f"Su salida:\n{self.output(1000)}"
        )

    def output(self, limit: int = 3000) -> str:
        texts = []
        for path in [self.log_path, *self.extra_logs]:
            with contextlib.suppress(OSError):
                texts.append(path.read_text(errors="replace"))
        text = "\n".join(t.strip() for t in texts if t.strip())
        return text[-limit:] if text else "(sin salida)"

    def terminate(self, timeout: float = 5.0) -> None:
        """SIGTERM the server (it stops its own children), SIGKILL the group after ``timeout``."""
        if self._proc is not None and self._proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self._proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout)
        self.kill()

    def kill(self) -> None:
        """SIGKILL the whole group, reap the leader, wait until no member is still running."""
        self._signal(signal.SIGKILL)
        if self._proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(5.0)
            deadline = time.monotonic() + 5.0
            while group_members(self._proc.pid) and time.monotonic() < deadline:
                time.sleep(0.01)
        _LIVE.discard(self)

    def _signal(self, sig: signal.Signals) -> bool:
        if self._proc is None:
            return False
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, sig)
        return self._proc.poll() is None


def group_members(pgid: int) -> list[int]:
    """PIDs still running (zombies excluded) in process group ``pgid``; [] without /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            members.append(int(stat.parent.name))
    return members


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` asking the kernel for SIGKILL when the parent dies (Linux, main thread).

    The kernel ties this to the *thread* that forked, so it is skipped in other threads, where
    a finished thread would take the server with it; ``atexit`` and ``stop()`` cover those.
    """
    if os.uname().sysname != "Linux" or threading.current_thread() is not threading.main_thread():
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def set_pdeathsig() -> None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)

    return set_pdeathsig


@atexit.register
def _kill_leftovers() -> None:
    for proc in list(_LIVE):
        proc.kill()


def launch(
    make: Callable[[int], ServerProcess],
    ready: Callable[[ServerProcess, int], None],
    *,
    host: str,
    port: int | None,
    attempts: int = 3,
) -> tuple[ServerProcess, int]:
    """Start a server on ``port`` (or on a free one, retrying if another process takes it first).

    ``make(port)`` builds the process, ``ready(proc, port)`` waits for it or raises SetupError.
    """
    from robot.mock_portal.mailstack._net import free_port

    tries = 1 if port is not None else attempts
    for attempt in range(1, tries + 1):
        chosen = port if port is not None else free_port(host)
        proc = make(chosen)
        proc.start()
        try:
            ready(proc, chosen)
        except SetupError:
            output = proc.output()
            proc.kill()
            if attempt < tries and "in use" in output:
                continue
            raise
        return proc, chosen
    raise AssertionError("unreachable")
