"""Simulation: the evaluation harness on Eclipse SUMO (libsumo in-process, TraCI for comparison)."""
