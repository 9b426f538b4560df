"""Demo-site generator: shared helpers and the two themes."""
