"""debugtape.adapters.gdb."""
