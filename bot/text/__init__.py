"""Pure text stages: clean → articles → sentences → summary, plus number checks."""
