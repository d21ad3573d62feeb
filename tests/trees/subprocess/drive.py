"""Runs a test runner in this process, as a program that embeds it does
(zope.testrunner's own doctests do), with something of the process replaced
first. Both runners are driven the same way, so their outputs compare.

    DRIVE_RUNNER=zope.testrunner|leakrunner DRIVE_MODE=MODE \\
        python drive.py [runner arguments]

The tests are this directory's (``--path`` as a default). MODE:

- ``record``: ``sys.stdout`` notes when each write comes; after the run, the
  output is followed by the writes of a child's progress (a test's line, a
  dot of ``-j``, `` LAYER FINISHED``) that came 0.3 seconds or more after
  the write before them: the tests in a child sleep, so their lines must
  come as they run, not all at the end.
- ``unreadable:TEXT``: ``subprocess.Popen`` starts no process: its stdout
  raises ``OSError`` when read, its stderr reads ``TEXT`` as bytes (``\\n``
  for new lines, ``NUMBERS`` for the lines 1 to 100); ``unreadable-str:TEXT``
  the same, read as a str.
- ``stdin:COMMANDS``: ``sys.stdin`` is an object that gives ``COMMANDS``
  (``;`` between lines) one line per ``readline()``, echoing each, as a
  scripted debugger session does.
- ``doctest-stdin:COMMANDS``: the same, from inside a doctest example (whose
  output doctest captures, and where ``pdb.set_trace`` is doctest's own);
  prints doctest's report of the example, whose expected output is none.
  ``doctest`` (and so ``pdb``) and the whole runner are imported before the
  example runs, as in a test suite that the runner runs itself (zope's own
  doctests); ``late-doctest-stdin:COMMANDS`` imports ``doctest`` after the
  runner.

A child process started by the runner runs this file too (the runner
re-runs its program): then it only runs the runner.
"""

import datetime
import importlib
import importlib.util
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if os.environ.get("DRIVE_MODE", "").startswith("doctest-"):
    import doctest  # noqa: F401
runner = importlib.import_module(os.environ["DRIVE_RUNNER"])
if importlib.util.find_spec(runner.__name__ + ".runner"):
    importlib.import_module(runner.__name__ + ".runner")


class Recording:
    """A text stream that notes when each write comes."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.writes = []

    @property
    def buffer(self):
        recording = self

        class Bytes:
            def write(self, data):
                assert isinstance(data, bytes)
                recording.write(data.decode("utf-8"))

            def writelines(self, lines):
                for line in lines:
                    self.write(line)

            def flush(self):
                recording.flush()

        return Bytes()

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str")
        self.writes.append((text, datetime.datetime.now()))
        self.wrapped.write(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        self.wrapped.flush()


def pauses(writes):
    """The child's progress that came 0.3 seconds or more after the write
    before it."""
    found = []
    for (_, before), (text, when) in zip(writes, writes[1:], strict=False):
        if when - before < datetime.timedelta(seconds=0.3):
            continue
        if re.fullmatch(r" test_\w+ \(.*\)\n", text) or text.strip() in (".", "LAYER FINISHED"):
            found.append(text.strip())
    return found


class Unreadable:
    def __init__(self, message):
        self.message = message
        self.raised = False

    def readline(self):
        if not self.raised:
            self.raised = True
            raise OSError(self.message)


class Text:
    def __init__(self, text):
        self.text = text

    def read(self):
        return self.text


class NoProcess:
    def __init__(self, stderr):
        self.stdout = Unreadable("the output of this subprocess cannot be read")
        self.stderr = Text(stderr)

    def kill(self):
        pass

    communicate = kill


class Scripted:
    def __init__(self, commands):
        self.lines = commands.split(";")

    def readline(self):
        line = self.lines.pop(0)
        print(line)
        return line + "\n"


def main():
    if "--resume-layer" in sys.argv:
        runner.run()
        return
    mode, _, detail = os.environ.get("DRIVE_MODE", "").partition(":")
    defaults = ["--path", HERE]
    args = [sys.argv[0], *sys.argv[1:]]
    if mode == "record":
        sys.stdout = recording = Recording(sys.stdout)
        try:
            failed = runner.run_internal(defaults, args)
        finally:
            sys.stdout = recording.wrapped
        print("failed:", failed)
        print("pauses before:", pauses(recording.writes))
    elif mode in ("unreadable", "unreadable-str"):
        if detail == "NUMBERS":
            stderr = "\n".join(str(n) for n in range(1, 101))
        else:
            stderr = detail.replace("\\n", "\n")
        if mode == "unreadable":
            stderr = stderr.encode()
        subprocess.Popen = lambda *args, **kw: NoProcess(stderr)
        print("failed:", runner.run_internal(defaults, args))
    elif mode == "stdin":
        sys.stdin = Scripted(detail)
        print("failed:", runner.run_internal(defaults, args))
    elif mode in ("doctest-stdin", "late-doctest-stdin"):
        import doctest

        globs = {"sys": sys, "runner": runner, "Scripted": Scripted}
        globs.update(commands=detail, defaults=defaults, args=args)
        source = ">>> sys.stdin = Scripted(commands)\n>>> runner.run_internal(defaults, args)\n"
        test = doctest.DocTestParser().get_doctest(source, globs, "driven", "drive.py", 0)
        report = []
        doctest.DocTestRunner(verbose=False).run(test, out=report.append)
        sys.stdin = sys.__stdin__
        print("".join(report))
    else:
        raise SystemExit(f"drive.py: unknown DRIVE_MODE {mode!r}")


main()
