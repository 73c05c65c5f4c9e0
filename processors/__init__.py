"""The standard processor library: one processor per module, grouped by family."""
