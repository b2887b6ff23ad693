"""NGSI-LD subscriptions: stored selectors and HTTP notifications with throttling."""
