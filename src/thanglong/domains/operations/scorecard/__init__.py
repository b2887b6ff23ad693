"""The city scorecard: Hanoi's digital-transformation targets against the domains' live indicators."""
