"""The wire between platform and terminals: MQTT topics, signed envelopes and the platform's signing key."""
