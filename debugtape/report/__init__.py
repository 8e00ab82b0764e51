"""debugtape.report."""
