"""Debugger-neutral parts shared by the gdb and lldb adapters (standard library only)."""
