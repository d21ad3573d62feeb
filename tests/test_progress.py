"""The leak hunt's progress line: on a terminal it says where the hunt is
and leaves no trace once the console has written over it; without a
terminal, or with zope's own -p progress, there is none."""

import os
import pty
import re
import subprocess
import sys

from conftest import ROOT, SAMPLE, runner_env

ARGS = ["--path", str(SAMPLE), "--tests-pattern", "^(leak|leaklayers)$", "--leaks"]


def on_terminal(args):
    """Runs leakrunner with stdout on a pseudo-terminal; returns what it wrote."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "leakrunner", *args],
        cwd=ROOT,
        env=runner_env(COLUMNS="100"),
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=subprocess.DEVNULL,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    proc.wait(timeout=300)
    return proc.returncode, b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def screen(raw):
    """The lines a terminal shows: \\r returns to the line's start, ESC [ K
    erases to its end (here always from its start)."""
    lines = []
    for line in raw.split("\n"):
        line = line.replace("\x1b[K", "")
        lines.append(line.rsplit("\r", 1)[-1])
    return lines


def plain(text):
    text = re.sub(r"0x[0-9a-f]+", "0x...", text)
    # zope's refcount lines on debug builds differ from run to run.
    text = re.sub(r"(?m)^.*refcount=.*$", "<refcounts>", text)
    return re.sub(r"\d+\.\d+ seconds", "N seconds", text)


def test_the_line_says_where_the_hunt_is_and_leaves_no_trace():
    status, raw = on_terminal(ARGS)
    assert status == 1, raw
    assert "\rLeak hunt: leakrunner.layer.UnitTests: iteration 1 of 6 (warm-up), test 1 of 2" in raw
    assert "\rLeak hunt: leaklayers.Cistern: iteration 3 of 6, test " in raw
    assert "\rLeak hunt: leaklayers.Sluice: iteration 6 of 6, sampling" in raw
    assert "judging; a leak is traced to its tests" in raw
    # Attribution's quiet runs of subsets, each round drawn as it starts.
    rounds = re.findall(
        r"\rLeak hunt: [\w.]+: finding the leaking tests, round (\d+) \(\d+ of \d+ tests\)", raw
    )
    assert rounds[:2] == ["1", "2"], rounds
    proc = subprocess.run(
        [sys.executable, "-m", "leakrunner", *ARGS],
        cwd=ROOT,
        env=runner_env(COLUMNS="100"),
        capture_output=True,
    )
    assert "Leak hunt" not in proc.stdout.decode() + proc.stderr.decode()
    assert plain("\n".join(screen(raw))) == plain(proc.stdout.decode())


def test_none_with_zopes_own_progress_or_verbosity():
    for extra in (["-p"], ["-v"]):
        status, raw = on_terminal([*ARGS, *extra])
        assert status == 1, raw
        assert "Leak hunt:" not in raw, extra
