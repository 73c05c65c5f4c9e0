"""Processors that bring data into the flow: files."""
