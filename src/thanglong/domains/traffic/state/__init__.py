"""Traffic state per road segment and interval: flow, occupancy, speed, density, level of service."""
