"""Tests of the city scorecard."""
