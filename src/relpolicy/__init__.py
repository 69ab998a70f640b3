"""relpolicy: reliability policy as code."""
