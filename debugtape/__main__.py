"""`python -m debugtape` runs the CLI (the form the in-debugger code uses to start `ingest`)."""

from debugtape.cli.main import main

main()
