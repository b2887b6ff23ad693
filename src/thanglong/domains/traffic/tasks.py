"""Background jobs of the traffic domain: none yet."""
