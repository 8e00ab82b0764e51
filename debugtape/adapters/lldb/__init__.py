"""debugtape.adapters.lldb."""
