"""Input edges: the watched folder (and feeds), turning bytes into Documents."""
