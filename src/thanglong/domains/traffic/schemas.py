"""Input and output shapes of the traffic domain: none yet."""
