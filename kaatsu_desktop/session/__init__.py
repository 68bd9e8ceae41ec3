"""Session engine: the pure safety core that runs a KAATSU session (T-* rules)."""
