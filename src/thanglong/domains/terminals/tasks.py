"""Background jobs of the terminals domain: none yet."""
