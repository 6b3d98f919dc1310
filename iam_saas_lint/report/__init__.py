"""Formatters: pure functions from a list of findings (and, for text, the files' lines) to text."""
