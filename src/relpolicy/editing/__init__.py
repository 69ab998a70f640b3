"""Editing policy files: the canonical layout of ``relpolicy fmt`` and the fixes of ``check --fix``.

Nothing here is imported on the path of ``relpolicy check``: the CLI imports these modules
inside the commands that write files.
"""
