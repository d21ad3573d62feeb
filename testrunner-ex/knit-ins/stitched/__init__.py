"""annex.stitched: lives in testrunner-ex/knit-ins/stitched."""
