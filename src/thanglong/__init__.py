"""Thăng Long: digital-government and smart-city platform for Hanoi."""

__version__ = "0.1.0"
