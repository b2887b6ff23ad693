"""Readings intake: MQTT consumer and bulk import through one use case."""
