"""Load-balanced connections between the nodes of a cluster."""
