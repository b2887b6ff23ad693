"""Settings of the tasklist domain (THANGLONG_TASKLIST_* variables), read once at start-up."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from thanglong.core.domain_settings import DomainSettings, SettingProblem


class TasklistSettings(DomainSettings):
    """How many open tasks a ward may have before the page warns, and the reminder channel."""

    model_config = SettingsConfigDict(env_prefix="THANGLONG_TASKLIST_", hide_input_in_errors=True)

    warn_open_tasks: int = 50
    reminder_channel: str | None = None

    def production_problems(self) -> list[SettingProblem]:
        """Reminders need a channel in production."""
        if self.reminder_channel is None:
            return [SettingProblem("THANGLONG_TASKLIST_REMINDER_CHANNEL", "chưa đặt.", "is not set.")]
        return []
