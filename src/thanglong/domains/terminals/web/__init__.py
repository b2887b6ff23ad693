"""Pages and JSON API of the terminals domain, one module per capability."""
