"""Exchanges with systems outside the city platform: the national portal (DVCQG) and VNPost."""
