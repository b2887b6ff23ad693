"""Tests of the operations domain."""
