"""Builds at once in one build folder never leave `current` dangling, and a killed build's staging folder
is removed by the next build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from clinkg.loaders import build as build_module
from clinkg.loaders.build import build, current_release

DEADLINE_S = 120.0


def _assert_current_is_whole(out: Path) -> None:
    link = out / "current"
    assert link.is_symlink()
    assert (link.resolve() / "manifest.json").is_file(), f"current points at {os.readlink(link)}, gone"
    assert current_release(out) is not None
    assert (out / "store").resolve().is_dir()


def _staging(out: Path) -> list[Path]:
    return sorted((out / "releases").glob(".staging-*"))


def test_two_builds_at_once_never_leave_current_dangling(
    minimal_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race of the issue, made certain: the first build to switch waits between renaming its release
    and switching to it until the other has finished (or, with the lock, could not go on)."""
    out = tmp_path / "out"
    build(out, minimal_dir)  # a previous release, as in a build folder in use
    real_switch = build_module._switch
    callers: list[str] = []
    finished = {name: threading.Event() for name in ("a", "b")}
    errors: list[BaseException] = []

    def slow_switch(out_: Path, release: Path) -> None:
        me = threading.current_thread().name
        callers.append(me)
        if len(callers) == 1:
            other = "b" if me == "a" else "a"
            # Wait until the other build's release is written, then give it time to switch and prune.
            deadline = time.monotonic() + DEADLINE_S
            while (
                not any((s / "manifest.json").exists() for s in _staging(out_))
                and not finished[other].is_set()
            ):
                if time.monotonic() > deadline:
                    raise TimeoutError("the other build never wrote its release")
                time.sleep(0.01)
            finished[other].wait(timeout=2)
        real_switch(out_, release)

    monkeypatch.setattr(build_module, "_switch", slow_switch)

    def run() -> None:
        try:
            build(out, minimal_dir)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            finished[threading.current_thread().name].set()

    threads = [threading.Thread(target=run, name=name) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DEADLINE_S)
    assert not errors, errors
    assert len(callers) == 2
    _assert_current_is_whole(out)
    assert _staging(out) == []


def test_many_builds_at_once_in_processes(minimal_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code = "import sys; from pathlib import Path; from clinkg.loaders.build import build; build(Path(sys.argv[1]), Path(sys.argv[2]))"
    processes = [
        subprocess.Popen([sys.executable, "-c", code, str(out), str(minimal_dir)])  # noqa: S603 - our own code
        for _ in range(3)
    ]
    assert [p.wait(timeout=DEADLINE_S) for p in processes] == [0, 0, 0]
    _assert_current_is_whole(out)
    assert _staging(out) == []


def test_a_leftover_staging_folder_is_removed_by_the_next_build(minimal_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(out, minimal_dir)
    leftover = out / "releases" / ".staging-x"
    (leftover / "store").mkdir(parents=True)
    (leftover / "clinkg.nt").write_text("half written\n", encoding="utf-8")
    build(out, minimal_dir)
    assert not leftover.exists()
    _assert_current_is_whole(out)


def test_a_running_builds_staging_folder_is_left_alone(minimal_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(out, minimal_dir)
    running = out / "releases" / ".staging-running"
    running.mkdir()
    claim = build_module._claim(running, wait=True)  # what a live builder holds
    try:
        build(out, minimal_dir)
        assert running.is_dir()
    finally:
        if claim is not None:
            os.close(claim)
    build(out, minimal_dir)
    assert not running.exists()


def test_a_killed_build_leaves_nothing_behind_after_the_next(minimal_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(out, minimal_dir)
    before = current_release(out)
    code = "import sys; from pathlib import Path; from clinkg.loaders.build import build; build(Path(sys.argv[1]), Path(sys.argv[2]))"
    process = subprocess.Popen([sys.executable, "-c", code, str(out), str(minimal_dir)])  # noqa: S603
    deadline = time.monotonic() + DEADLINE_S
    while not _staging(out):
        if time.monotonic() > deadline or process.poll() is not None:
            pytest.skip("the build finished before it could be killed mid-way")
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=DEADLINE_S)
    assert current_release(out) == before  # killed: the previous release is still current
    assert _staging(out)
    build(out, minimal_dir)
    assert _staging(out) == []
    _assert_current_is_whole(out)
