"""Processors that put into and fetch from a map cache service."""
