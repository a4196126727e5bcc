"""Scan progress on a terminal: the plugin runs with stderr on a real pseudo-terminal, or on a pipe.

The paginating registry serves 100 tags a page, so a 3 000-tag repository is listed in 30 pages.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import create, image_repository
from tests.harness.environment import Environment

pytestmark = pytest.mark.e2e

TAGS = [f"1.0.{i}" for i in range(3000)]
STATUS = re.compile(r"◎ scanning (?P<image>\S+): (?P<pages>\d+) pages?, (?P<tags>[\d,]+) tags?")


@dataclass(frozen=True)
class Run:
    """What one run printed: stdout, and stderr exactly as the terminal or pipe received it."""

    code: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Repository:
    env: Environment
    namespace: str
    image: str


@pytest.fixture(scope="module")
def repository(env: Environment) -> Iterator[Repository]:
    namespace = env.new_namespace("progress")
    env.registry.seed(f"{namespace}/many", TAGS)
    image = f"{env.registry.host}/{namespace}/many"
    create(env, image_repository(namespace, "many", image))
    yield Repository(env, namespace, image)


def run(repo: Repository, database: Path, *args: str, tty: bool, **environ: str) -> Run:
    """`reconcile many` with stderr on a pseudo-terminal (`tty`) or a pipe; stdout is always a pipe."""
    command = [sys.executable, "-m", "kubectl_imagerepo", *args, "-n", repo.namespace]
    command += ["--database", str(database)]
    env = {**repo.env.path_env(), "TERM": "xterm", **environ}
    if "NO_COLOR" not in environ:
        env.pop("NO_COLOR", None)
    if not tty:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
        return Run(done.returncode, done.stdout, done.stderr)
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))
    os.set_blocking(leader, False)
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower, env=env
        )
        os.close(follower)
        follower = -1
        received = bytearray()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                chunk = os.read(leader, 65536)
            except BlockingIOError:
                if process.poll() is not None:
                    break
                time.sleep(0.01)
                continue
            except OSError:  # EIO: the terminal's last writer is gone
                break
            if not chunk:
                break
            received += chunk
        stdout = process.stdout.read() if process.stdout else b""
        code = process.wait(timeout=30)
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    return Run(code, stdout.decode(), received.decode().replace("\r\n", "\n"))


def test_a_terminal_shows_pages_and_tags_fetched_so_far(repository: Repository, tmp_path: Path) -> None:
    result = run(repository, tmp_path / "db", "reconcile", "many", tty=True)
    assert result.code == 0, result.stderr
    shown = list(STATUS.finditer(result.stderr))
    assert shown, result.stderr
    assert {m["image"] for m in shown} == {repository.image}
    lines = [m.group(0) for m in shown]
    assert all(1 <= int(m["pages"]) <= 30 for m in shown), lines
    assert all(int(m["tags"].replace(",", "")) == 100 * int(m["pages"]) for m in shown), lines


def test_the_progress_line_is_erased_before_the_outcome(repository: Repository, tmp_path: Path) -> None:
    result = run(repository, tmp_path / "db", "reconcile", "many", tty=True, NO_COLOR="")
    last = list(STATUS.finditer(result.stderr))[-1]
    erased = rf" *\r\r {{{len(last[0])}}}\r✔ scan fetched 3000 tags\n"
    assert re.fullmatch(erased, result.stderr[last.end() :]), result.stderr[last.end() :]


def test_the_progress_line_is_dim_unless_no_color(repository: Repository, tmp_path: Path) -> None:
    coloured = run(repository, tmp_path / "a", "reconcile", "many", tty=True)
    plain = run(repository, tmp_path / "b", "reconcile", "many", tty=True, NO_COLOR="")
    assert "\x1b[2m◎ scanning" in coloured.stderr
    assert STATUS.search(plain.stderr)
    assert "\x1b[" not in plain.stderr


def test_a_pipe_gets_no_progress_line(repository: Repository, tmp_path: Path) -> None:
    result = run(repository, tmp_path / "db", "reconcile", "many", tty=False)
    assert result.code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "✔ scan fetched 3000 tags"
    assert "\r" not in result.stderr
    assert not STATUS.search(result.stderr)


def test_quiet_shows_no_progress_line_on_a_terminal(repository: Repository, tmp_path: Path) -> None:
    result = run(repository, tmp_path / "db", "reconcile", "many", "--quiet", tty=True)
    assert result.code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "✔ scan fetched 3000 tags"
    assert "\r" not in result.stderr
    assert not STATUS.search(result.stderr)


def test_tags_scanning_first_shows_progress_on_a_terminal(repository: Repository, tmp_path: Path) -> None:
    result = run(repository, tmp_path / "db", "tags", "many", "--limit", "1", tty=True)
    assert result.code == 0, result.stderr
    assert STATUS.search(result.stderr), result.stderr
    assert result.stdout.splitlines() == [max(TAGS)]


def test_tags_quiet_shows_no_progress_line(repository: Repository, tmp_path: Path) -> None:
    result = run(repository, tmp_path / "db", "tags", "many", "-q", "--limit", "1", tty=True)
    assert result.code == 0, result.stderr
    assert not STATUS.search(result.stderr)
    assert "\r" not in result.stderr
