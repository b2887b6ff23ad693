"""Signal plans: stored per intersection, compared in what-if replays, deployed to controllers."""
