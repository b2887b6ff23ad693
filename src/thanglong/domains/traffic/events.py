"""Events of the traffic domain: none yet."""
