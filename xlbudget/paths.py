"""Adapter helper: what is wrong with a path given on the command line, in one clear line."""
from __future__ import annotations

import os

from xlbudget.model import InputError


def check_input(path: str) -> None:
    """A clear error for a missing input, a folder, a broken or looping symbolic link."""
    if os.path.isdir(path):
        raise InputError(f"is a folder, not a file, {path}", hint="use `xlbudget batch FOLDER -o OUT` for a folder")
    if not os.path.exists(path):
        if os.path.islink(path):
            raise InputError(f"broken or looping symbolic link, {path}", hint="point it at a real file")
        raise InputError(f"no such file, {path}", hint="check the path")
