"""`python -m analysis` entry point."""

from analysis.cli import main

if __name__ == "__main__":  # `analyze --jobs N` starts spawn workers, which import this module again
    raise SystemExit(main())
