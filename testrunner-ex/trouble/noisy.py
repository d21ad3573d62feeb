"""Tests that write to stdout and stderr (for --buffer).

Found with --tests-pattern '^noisy$'.  With --buffer, the output of passing
tests is swallowed and the output of the failing test is shown after its
traceback (Stdout: on stdout, Stderr: on stderr).
"""

import sys
import unittest


class Noisy(unittest.TestCase):

    def test_quiet_pass(self):
        pass

    def test_noisy_pass(self):
        print('chatter on stdout from a passing test')
        print('chatter on stderr from a passing test', file=sys.stderr)

    def test_noisy_failure(self):
        print('stdout before failing: ünïcödé ✓')
        print('stderr before failing', file=sys.stderr)
        self.fail('noisy failure')

    def test_stdout_without_newline(self):
        sys.stdout.write('no newline at the end')
        sys.stderr.write('nor here')
        raise RuntimeError('noisy error')
