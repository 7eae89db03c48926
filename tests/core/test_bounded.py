"""robot.bounded: a function run in a child process under memory, CPU and wall-clock limits;
every way a child can go wrong ends as a clear LimitExceeded, or as the function's own error."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import pytest

from robot import bounded
from robot.bounded import LimitExceeded, Limits, RemoteTraceback, call, last_usage

LIMITS = Limits(256, 5, "document.memory_mb", "document.cpu_seconds")


def add(a: int, b: int) -> int:
    return a + b


def whose_child() -> tuple[int, int]:
    return os.getpid(), os.getppid()


def refuse(name: str) -> None:
    raise ValueError(f"{name}: no me gusta")


def hog_memory() -> int:
    return len(bytearray(2 << 30))


def spin() -> None:
    while True:
        pass


def sleep() -> None:
    time.sleep(60)


def crash() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def recurse(depth: int = 0) -> int:
    return recurse(depth + 1) + 1


def shout() -> str:
    os.write(2, b"Traceback (most recent call last): ruido de una biblioteca\n")
    print("ruido", file=sys.stderr, flush=True)
    return "hecho"


def unpicklable() -> object:
    return threading.Lock()


def test_a_call_returns_the_function_s_result_and_what_it_used() -> None:
    assert call(add, 2, 3, limits=LIMITS) == 5
    usage = last_usage()
    assert usage is not None
    assert 0 <= usage.address_mb <= 256 and 0 <= usage.memory_mb <= 256
    assert 0 <= usage.cpu_seconds < 5
    assert usage.wall_seconds < LIMITS.wall_seconds


def test_each_call_is_a_new_child_of_one_warm_helper() -> None:
    first, second = call(whose_child, limits=LIMITS), call(whose_child, limits=LIMITS)
    assert first[0] != second[0] != os.getpid()
    assert first[1] == second[1] != os.getpid()  # the same helper forked both


def test_the_function_s_error_comes_back_as_itself_with_the_child_s_traceback() -> None:
    with pytest.raises(ValueError, match=r"x\.pdf: no me gusta") as caught:
        call(refuse, "x.pdf", limits=LIMITS)
    assert isinstance(caught.value.__cause__, RemoteTraceback)
    assert "in refuse" in str(caught.value.__cause__)
    assert last_usage() is not None  # it answered


@pytest.mark.parametrize(
    ("fn", "kind", "says", "hint"),
    [
        (
            hog_memory,
            "memory",
            "necesita más memoria que el límite (256 MB)",
            "SECOP_DOCUMENT_MEMORY_MB=512",
        ),
        (spin, "cpu", "tomó más tiempo de CPU que el límite (1 s)", "SECOP_DOCUMENT_CPU_SECONDS=2"),
        (recurse, "depth", "anidados a más profundidad", "vuelva a exportar"),
        (crash, "crash", "terminó de forma anormal (la señal SIGSEGV)", "MEMORY_MB"),
    ],
)
def test_a_child_over_a_limit_is_a_clear_limit_error(
    fn: object, kind: str, says: str, hint: str
) -> None:
    limits = Limits(256, 1, "document.memory_mb", "document.cpu_seconds")
    started = time.monotonic()
    with pytest.raises(LimitExceeded) as caught:
        call(fn, limits=limits)  # type: ignore[arg-type]
    assert caught.value.kind == kind
    assert says in caught.value.reason
    assert hint in caught.value.hint
    assert time.monotonic() - started < limits.wall_seconds
    assert last_usage() is None


def test_a_child_that_waits_is_killed_at_the_wall_clock_limit() -> None:
    limits = Limits(256, 5, "document.memory_mb", "document.cpu_seconds", wall=1.0)
    started = time.monotonic()
    with pytest.raises(LimitExceeded) as caught:
        call(sleep, limits=limits)
    assert caught.value.kind == "wall"
    assert "no terminó en el tiempo límite (1 s)" in caught.value.reason
    assert "SECOP_DOCUMENT_CPU_SECONDS" in caught.value.hint
    assert time.monotonic() - started < 10
    assert call(add, 1, 1, limits=limits) == 2  # the helper goes on


def test_the_wall_clock_limit_follows_the_cpu_limit() -> None:
    assert Limits(1024, 60).wall_seconds == 60 * bounded.WALL_FACTOR + bounded.WALL_EXTRA


def test_nothing_the_child_prints_on_standard_error_reaches_the_person(
    capfd: pytest.CaptureFixture[str],
) -> None:
    assert call(shout, limits=LIMITS) == "hecho"
    with pytest.raises(LimitExceeded):
        call(crash, limits=LIMITS)
    captured = capfd.readouterr()
    assert "ruido" not in captured.err + captured.out
    assert "Traceback" not in captured.err + captured.out


def test_a_result_that_cannot_come_back_is_an_error_not_a_hang() -> None:
    with pytest.raises(RuntimeError, match="lock no vuelve del proceso hijo"):
        call(unpicklable, limits=LIMITS)


def test_a_helper_that_died_is_replaced() -> None:
    _, helper = call(whose_child, limits=LIMITS)
    os.kill(helper, signal.SIGKILL)
    time.sleep(0.2)
    assert call(add, 2, 2, limits=LIMITS) == 4
    assert call(whose_child, limits=LIMITS)[1] != helper


def test_calls_from_many_threads_run_at_most_one_per_cpu_at_once() -> None:
    results: list[int] = []

    def one(n: int) -> None:
        results.append(call(add, n, 1, limits=LIMITS))

    threads = [threading.Thread(target=one, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [1, 2, 3, 4, 5, 6]
    assert len(bounded._IDLE) <= len(os.sched_getaffinity(0))
