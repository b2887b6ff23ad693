"""Run the `thanglong` command as `python -m thanglong.cli` (the same as the installed script)."""

from thanglong.cli.main import main

main()
