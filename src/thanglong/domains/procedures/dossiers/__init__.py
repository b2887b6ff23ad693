"""Dossiers: filing, the statutory clock, processing along the DVCQG statuses, fees, the citizen's side."""
