"""Tables of the terminals domain: none yet (CAP validation stores nothing), so no migrations either."""
