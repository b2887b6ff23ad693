"""The reference terminal software (agent) and the fleet simulator for load tests."""
