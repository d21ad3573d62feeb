"""``python -m leakrunner.report``: leak reports for people.

``python -m leakrunner.report REPORT.json [-o PAGE.html]`` renders a saved
JSON leak report (``--leak-report FILE``) as one self-contained HTML page;
``python -m leakrunner.report compare BEFORE.json AFTER.json [-o PAGE.html]``
says what changed between two hunts. The command line is implemented in
Rust; see ``--help`` for the exit statuses.
"""

import sys


def main(argv=None):
    """Runs the command line ``argv`` (``sys.argv`` by default, program
    name first) and returns its exit status."""
    from leakrunner import _leakrunner

    argv = list(sys.argv if argv is None else argv)
    status, out, err = _leakrunner.report_main(argv)
    if out:
        sys.stdout.write(out)
        sys.stdout.flush()
    if err:
        sys.stderr.write(err)
        sys.stderr.flush()
    return status


if __name__ == "__main__":
    sys.exit(main())
