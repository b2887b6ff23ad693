"""Pages and JSON API of the terminals domain: none yet (CAP validation is on the command line)."""
