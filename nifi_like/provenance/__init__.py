"""Provenance: events (events.py), index and indexer (index.py), searches (store.py),
lineage (lineage.py), replay (replay.py), retention (retention.py), the background
service of a running engine (service.py) and the ``provenance`` command (cli.py).

Kept free of imports: the session imports ``nifi_like.provenance.events`` on its hot path.
"""
