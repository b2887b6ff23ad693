"""Events of the terminals domain: none yet (validating a message changes nothing)."""
