"""One root exception for everything the package raises on purpose; messages say what to fix."""

from __future__ import annotations


class AnalysisError(Exception):
    """Root of all errors raised deliberately by `analysis`. The CLI prints it as one line and exits 2."""

    exit_code = 2


class InputError(AnalysisError):
    """An input file, row or path cannot be used (unreadable, wrong format, missing column)."""


class SchemaError(AnalysisError):
    """A table does not have the columns or dtypes this package expects."""


class ParameterError(AnalysisError, ValueError):
    """A parameter value is invalid (unknown column, bad date, invalid frequency, empty selection)."""


class ResourceError(AnalysisError):
    """A dictionary, codebook or rule file (built-in or user-supplied) is invalid."""


class DataUnavailableError(AnalysisError):
    """A data set could not be fetched and no verified local copy was found."""
