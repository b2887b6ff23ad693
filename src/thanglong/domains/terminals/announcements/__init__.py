"""The announcement centre: authoring, two-person approval, CAP 1.2 messages, schedules, import and feed."""
