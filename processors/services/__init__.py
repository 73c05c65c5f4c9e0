"""Controller services of the standard library: record readers and writers."""
