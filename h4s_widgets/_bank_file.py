"""Reading a bank file: its bytes and the YAML or JSON data in them, with one-line errors naming the file and
line.  Apart from the schema (:mod:`h4s_widgets._schema` re-exports these) so that a quiz from a kept bank
(:mod:`h4s_widgets._bank_cache`) reads its file without importing pydantic."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ._errors import BankFileError


def read_bank_data(path: str | Path) -> Any:
    """The data in a YAML or JSON bank file, or :class:`BankFileError` naming the file and line."""
    return bank_data(path, read_bank_bytes(path))


def read_bank_bytes(path: str | Path) -> bytes:
    """The bytes of a bank file, or :class:`BankFileError` naming the file."""
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        hint = "" if path.is_absolute() else f" (relative to {Path.cwd()})"
        raise BankFileError(f"{path}: file not found; check the path{hint}") from None
    except IsADirectoryError:
        raise BankFileError(f"{path}: is a folder, not a question bank file") from None


def bank_data(path: str | Path, raw: bytes) -> Any:
    """The data in ``raw``, the bytes of the YAML or JSON bank file ``path``."""
    path = Path(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise BankFileError(f"{path}:{line}: is not UTF-8 text (byte 0x{raw[e.start]:02x}); "
                            f"save the file as UTF-8") from None
    text = text.removeprefix("\ufeff")
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            raise BankFileError(f"{path}:{e.lineno}: invalid JSON: {e.msg} (column {e.colno})") from None
    import yaml   # here, not at the top: importing h4s_widgets and building questions in Python need no YAML
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e)
        raise BankFileError(f"{path}{line}: invalid YAML: {problem}; check indentation and quote text "
                            f"containing ':' or '#'") from None
