"""Errors raised by the repository, phrased for the person running the engine."""


class RepositoryError(Exception):
    """A repository operation failed; the message says what and where."""


class SchemaVersionError(RepositoryError):
    """The data directory was written by an incompatible version of nifi_like."""
