"""The version of relpolicy: a leaf, so that any layer can name it without importing the package's API.

hatch reads it from here (``[tool.hatch.version]`` in pyproject.toml).
"""

__version__ = "0.1.0"
