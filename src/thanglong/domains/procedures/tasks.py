"""Background jobs of the procedures domain (the DVCQG sync and Form 04 drafting come next)."""
