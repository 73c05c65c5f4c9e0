"""Processors that change FlowFiles: attributes, content."""
