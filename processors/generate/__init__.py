"""Processors that make FlowFiles from nothing: generators."""
