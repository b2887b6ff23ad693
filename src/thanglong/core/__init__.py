"""The kernel: settings, database, unit of work, events, audit, geography, calendar."""
