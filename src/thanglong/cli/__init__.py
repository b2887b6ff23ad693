"""The `thanglong` command line."""
