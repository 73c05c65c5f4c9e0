"""Processors that route FlowFiles to relationships."""
