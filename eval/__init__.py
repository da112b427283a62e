"""Citation-accuracy evaluation: test sets, metrics, runs and reports."""
