"""Helpers shared by the tests: flow builders and small test processors."""
