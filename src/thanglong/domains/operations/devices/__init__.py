"""Device register: devices, calibration, their API keys."""
