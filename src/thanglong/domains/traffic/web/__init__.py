"""Pages and JSON API of the traffic domain, one module per capability."""
