"""debugtape.adapters.dap."""
