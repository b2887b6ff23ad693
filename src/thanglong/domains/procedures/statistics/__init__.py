"""Statistics of Decision 766/QĐ-TTg: figures per agency, commune and month, key figures, the map layer."""
