"""Example third-party processors for nifi_like."""
