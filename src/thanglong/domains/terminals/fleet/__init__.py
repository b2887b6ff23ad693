"""The terminal fleet: households, terminals, their credentials, heartbeats and commands."""
