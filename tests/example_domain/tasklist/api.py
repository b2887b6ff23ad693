"""What other domains may use of the tasklist domain."""

from __future__ import annotations

from tests.example_domain.tasklist.services import TaskDTO, count_open, list_tasks

__all__ = ["TaskDTO", "count_open", "list_tasks"]
