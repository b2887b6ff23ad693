"""Short-term flow forecasts per detector station: baselines, a seasonal ARX model, masked metrics."""
