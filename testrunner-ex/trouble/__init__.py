"""Material that fails, errors or is broken.  Nothing here matches the
default ^tests$ pattern; select it with --tests-pattern (see README.md)."""
