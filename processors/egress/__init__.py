"""Processors that write FlowFiles out of the flow: files, logs."""
