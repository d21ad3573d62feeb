"""``--coverage`` and ``--profile``: the runner's analysis features.

Coverage: zope.testrunner traces with the stdlib ``trace`` module and writes
its ``.cover`` files and summary. leakrunner prints and writes the same, but
measures with coverage.py when it is installed, which sees the same lines
many times faster: the lines it saw executed are handed to ``trace``'s own
report writer, so the summary and the files are ``trace``'s. coverage.py does
not count how often a line ran, so an executed line is marked ``1:`` where
the tracer writes its count. Setting ``LEAKRUNNER_COVERAGE=trace`` keeps the
stdlib tracer (and its counts).

Profiling: cProfile around the test phase, one ``tests_profile.*.prof`` file
per process in ``--profile-directory``, merged (children included) and
printed as zope prints it: the top 50, by cumulative time and calls.
"""

import glob
import os
import sys
import tempfile
import threading


class _TestIgnore:
    """Traces only files under the test directories (and no doctest code)."""

    def __init__(self, directories):
        self._test_dirs = [os.path.abspath(d) + os.path.sep for d in directories]
        self._ignore = {}

    def names(self, filename, modulename):
        if modulename == "<string>":
            return True
        filename = os.path.abspath(filename)
        ignore = self._ignore.get(filename)
        if ignore is None:
            ignore = not any(filename.startswith(d) for d in self._test_dirs)
            self._ignore[filename] = ignore
        return ignore


class _StdlibCoverage:
    tool = None  # zope's output says nothing about the tool

    def __init__(self, directories, report_dir):
        import trace

        self._report_dir = report_dir
        self._tracer = trace.Trace(trace=False, count=True)
        self._tracer.ignore = _TestIgnore(directories)
        self._original_settrace = sys.settrace

    def start(self):
        original = self._original_settrace

        def settrace(function):
            # Code under test (doctest, for one) must not turn tracing off.
            if function is not None:
                original(function)

        sys.settrace = settrace
        original(self._tracer.globaltrace)
        threading.settrace(self._tracer.globaltrace)

    def stop(self):
        sys.settrace = self._original_settrace
        sys.settrace(None)
        threading.settrace(None)

    def report(self):
        self._tracer.results().write_results(summary=True, coverdir=self._report_dir)


class _CoveragePy:
    def __init__(self, coverage, directories, report_dir):
        self._report_dir = report_dir
        self._cov = coverage.Coverage(
            data_file=None,
            source=[os.path.abspath(d) for d in directories],
            config_file=False,
        )

    def start(self):
        self._cov.start()

    def stop(self):
        self._cov.stop()

    def report(self):
        import trace

        data = self._cov.get_data()
        # A line that ran, once at least: coverage.py does not count.
        counts = {
            (filename, lineno): 1
            for filename in data.measured_files()
            for lineno in data.lines(filename) or ()
        }
        trace.CoverageResults(counts=counts).write_results(summary=True, coverdir=self._report_dir)


def start_coverage(directories, report_dir, cwd):
    """Starts measuring; returns the measurer (``stop`` and ``report``)."""
    report_dir = os.path.join(cwd, report_dir)
    measurer = None
    if os.environ.get("LEAKRUNNER_COVERAGE") != "trace":
        try:
            import coverage
        except ImportError:
            coverage = None
        if coverage is not None:
            measurer = _CoveragePy(coverage, directories, report_dir)
    if measurer is None:
        measurer = _StdlibCoverage(directories, report_dir)
    measurer.start()
    return measurer


class Profiler:
    """cProfile around the test phase, as zope's Profiling feature does."""

    prefix = "tests_profile."
    suffix = ".prof"

    def __init__(self, directory, in_child):
        import cProfile

        self._in_child = in_child
        self._glob = os.path.join(directory, self.prefix + "*" + self.suffix)
        if not in_child:
            # Stale results of earlier runs would be merged in otherwise.
            for name in glob.glob(self._glob):
                os.unlink(name)
        self._handle, self._path = tempfile.mkstemp(self.suffix, self.prefix, directory)
        self._profile = cProfile.Profile()
        self.stats = None

    def enable(self):
        self._profile.enable()

    def disable(self):
        self._profile.disable()

    def finish(self):
        """Writes this process's file; the parent loads every process's."""
        import pstats

        self._profile.dump_stats(self._path)
        os.close(self._handle)
        if self._in_child:
            return
        for name in glob.glob(self._glob):
            if self.stats is None:
                self.stats = pstats.Stats(name)
            else:
                self.stats.add(name)
        if self.stats is not None:
            self.stats.sort_stats("cumulative", "calls")

    def report(self):
        if self.stats is not None:
            self.stats.stream = sys.stdout
            self.stats.print_stats(50)

    def dump(self):
        """The statistics as ``pstats.Stats.dump_stats`` writes them (what a
        subunit stream carries), or None when there are none."""
        import marshal

        if self.stats is None:
            return None
        return marshal.dumps(self.stats.stats)
