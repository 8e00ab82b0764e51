"""A labelled, deterministic corpus of debugger-like records for the redaction benchmarks."""
