"""Electricity and water bills of households, imported from the utilities and paid from the terminals."""
