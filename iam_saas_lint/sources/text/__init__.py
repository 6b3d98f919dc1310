"""Reading files into text and finding positions in it: bounded reads, JSON and YAML with a location
index (JSON path to line and column), JSON written inside strings, and suppression comments.

Shared by every reader; only the sources layer uses it to touch text."""
