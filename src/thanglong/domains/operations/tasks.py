"""Background jobs of operations: each capability's scheduled work, declared in the manifest."""
