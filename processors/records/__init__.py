"""Record processors: each reads a FlowFile's records with a RecordReaderFactory service and writes them
with a RecordSetWriterFactory service."""
