"""Readers and scorers for the public gold sets that the project's measures are validated against."""
