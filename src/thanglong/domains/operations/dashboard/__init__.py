"""The operations dashboard: counts, the sensors and alarms map layers, and the chart data."""
