"""Routes of the shell itself: health, language, home, geography, calendar."""
