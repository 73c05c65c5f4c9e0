"""Distributed map cache processors: PutDistributedMapCache, FetchDistributedMapCache."""
