"""Tables of the traffic domain: none yet (the engines and the simulation harness store nothing)."""
