"""Figures: every `plot_*` function returns a matplotlib Figure and writes no files (one module per topic)."""
