"""Delivery of announcements to terminals over MQTT: topics, signed envelopes, receipts and reach."""
