"""Background work: the outbox relay to MQTT and the domains' scheduled jobs."""
