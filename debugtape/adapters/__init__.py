"""debugtape.adapters."""
