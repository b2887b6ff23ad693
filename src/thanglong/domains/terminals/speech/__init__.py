"""Offline Vietnamese text to speech: announcement text normalised, then spoken by espeak-ng."""
