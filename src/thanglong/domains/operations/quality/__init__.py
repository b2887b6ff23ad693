"""Data quality per sensor series and the learned seasonal anomaly detector."""
