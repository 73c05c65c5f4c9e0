"""Errors raised by the repository, phrased for the person running the engine."""


class RepositoryError(Exception):
    """A repository operation failed; the message says what and where."""


class SchemaVersionError(RepositoryError):
    """The data directory was written by an incompatible version of nifi_like."""


class DamagedContentError(RepositoryError):
    """Stored content cannot be read back as it was written: its claim file is missing, truncated
    or altered (checksum mismatch), or its inline record is gone. The engine quarantines the FlowFile."""
