"""A question bank file read and written round-trip (ruamel.yaml), so that a person can keep editing it.

:class:`BankFile` holds the parsed document with its comments, quoting and key order.  The editor works on
plain copies of the questions (``plain()``); :meth:`BankFile.save` puts them back by changing only the
nodes that changed: an untouched question keeps its text, comments and order of keys; an edited question
keeps the comments and styles of the fields that did not change; a file opened and saved without edits
is not written at all (so it stays the same byte for byte).  Nothing is written unless the whole bank is
valid, and the new text replaces the file in one step (a temporary file, then ``os.replace``).
"""
from __future__ import annotations

import copy
import io
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString, SingleQuotedScalarString

from h4s_widgets import H4SError, parse_bank
from h4s_widgets._errors import BankFileError   # the project's one module of error classes

_SEQ_RE = re.compile(r"^questions:[ \t]*\n(?:[ \t]*(?:#.*)?\n)*([ \t]*)- ", re.M)


def plain(node: Any) -> Any:
    """ruamel's nodes as plain JSON-like Python (dict, list, str, int, float, bool, None)."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return json.loads(json.dumps(node, default=str))


def _yaml(offset: int = 2) -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 1 << 16            # never fold a long line the author wrote on one line
    y.indent(mapping=2, sequence=offset + 2, offset=offset)
    return y


def _not_text_for_pyyaml(value: str) -> bool:
    """True when PyYAML (YAML 1.1, which h4s reads banks with) would read the plain scalar as no text:
    yes/no/on/off, numbers such as 1:20 or 0o7, null, dates."""
    import yaml
    tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False))
    return tag != "tag:yaml.org,2002:str"


def _node(value: Any, like: Any = None) -> Any:
    """A new YAML node for ``value``; a string keeps the quoting of the value it replaces (``like``)."""
    if isinstance(value, dict):
        m = CommentedMap()
        for k, v in value.items():
            m[k] = _node(v)
        return m
    if isinstance(value, list):
        s = CommentedSeq()
        for v in value:
            s.append(_node(v))
        return s
    if isinstance(value, str):
        if "\n" in value:
            return LiteralScalarString(value if value.endswith("\n") or not isinstance(like, LiteralScalarString)
                                       else value)
        if isinstance(like, DoubleQuotedScalarString) or _not_text_for_pyyaml(value):
            return DoubleQuotedScalarString(value)
        if isinstance(like, SingleQuotedScalarString):
            return SingleQuotedScalarString(value)
    return value


def _merge_map(node: CommentedMap, new: dict) -> None:
    for k in [k for k in node if k not in new]:
        del node[k]
    for k, v in new.items():
        if k in node:
            old = node[k]
            if plain(old) == v:
                continue
            if isinstance(v, dict) and isinstance(old, CommentedMap):
                _merge_map(old, v)
                continue
            if isinstance(v, list) and isinstance(old, CommentedSeq):
                _merge_seq(old, v)
                continue
            node[k] = _node(v, old)
        else:
            node[k] = _node(v)


def _merge_seq(node: CommentedSeq, new: list) -> None:
    old = list(node)
    for i, v in enumerate(new):
        if i < len(old):
            o = old[i]
            if plain(o) == v:
                continue
            if isinstance(v, dict) and isinstance(o, CommentedMap):
                _merge_map(o, v)
            elif isinstance(v, list) and isinstance(o, CommentedSeq):
                _merge_seq(o, v)
            else:
                node[i] = _node(v, o)
        else:
            node.append(_node(v))
    while len(node) > len(new):
        del node[len(node) - 1]


class BankFile:
    """One bank file (YAML), or a new one when ``path`` does not exist yet."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if self.path.suffix.lower() not in (".yml", ".yaml"):
            raise BankFileError(f"{self.path}: the question editor edits YAML banks (.yml); "
                                f"convert a JSON bank with h4s import or write it as .yml")
        self.text: str | None = None
        offset = 2
        if self.path.exists():
            try:
                self.text = self.path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise BankFileError(f"{self.path}: is not UTF-8 text; save the file as UTF-8") from None
            m = _SEQ_RE.search(self.text)
            if m:
                offset = len(m.group(1).expandtabs())
            try:
                self.doc = _yaml(offset).load(self.text)
            except Exception as e:   # ruamel's errors carry a line and a problem
                mark = getattr(e, "problem_mark", None)
                line = f":{mark.line + 1}" if mark else ""
                raise BankFileError(f"{self.path}{line}: invalid YAML: {getattr(e, 'problem', None) or e}; "
                                    f"fix the file by hand, then open it again") from None
            if not isinstance(self.doc, CommentedMap) or not isinstance(self.doc.get("questions", []), list):
                raise BankFileError(f"{self.path}: is not a question bank (a mapping with 'schema_version: 1' "
                                    f"and 'questions:'); fix the file by hand, then open it again")
            if "questions" not in self.doc or self.doc["questions"] is None:
                self.doc["questions"] = CommentedSeq()
        else:
            self.doc = CommentedMap()
            self.doc["schema_version"] = 1
            self.doc["questions"] = CommentedSeq()
        self._offset = offset

    def questions(self) -> list[dict]:
        return [plain(q) for q in self.doc["questions"]]

    def bank_data(self, questions: list[dict]) -> dict:
        data = {k: plain(v) for k, v in self.doc.items() if k != "questions"}
        data["questions"] = questions
        return data

    def render(self, questions: list[dict], origins: list) -> str | None:
        """The new text of the file, or None when nothing changed (``origins``: each question's index when
        the file was read, ``("copy", index)`` for a duplicate of one, None for a new one)."""
        seq: CommentedSeq = self.doc["questions"]
        old = list(seq)
        if self.text is not None and questions == [plain(q) for q in old] and list(origins) == list(range(len(old))):
            return None
        nodes = []
        items = {}
        for i, (q, o) in enumerate(zip(questions, origins)):
            copy_of = o[1] if isinstance(o, tuple) else None   # ("copy", i): a duplicate keeps i's styles
            if copy_of is not None and 0 <= copy_of < len(old) and isinstance(old[copy_of], CommentedMap):
                node = copy.deepcopy(old[copy_of])
                _merge_map(node, q)
            elif isinstance(o, int) and 0 <= o < len(old) and isinstance(old[o], CommentedMap):
                node = old[o]
                if plain(node) != q:
                    _merge_map(node, q)
                if o in seq.ca.items:
                    items[i] = seq.ca.items[o]
            else:
                node = _node(q)
            nodes.append(node)
        # the same node twice (a duplicate kept its origin) would be written as a YAML alias
        seen: set[int] = set()
        for i, n in enumerate(nodes):
            if id(n) in seen:
                nodes[i] = _node(plain(n))
            seen.add(id(n))
        list.clear(seq)
        list.extend(seq, nodes)
        seq.ca.items.clear()
        seq.ca.items.update(items)
        out = io.StringIO()
        _yaml(self._offset).dump(self.doc, out)
        return out.getvalue()

    def save(self, questions: list[dict], origins: list) -> bool:
        """Validate the whole bank, write it (True) or leave the file alone when nothing changed (False)."""
        parse_bank(self.bank_data(questions), source=str(self.path))
        text = self.render(questions, origins)
        if text is None:
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=str(self.path.parent))
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            if self.path.exists():
                os.chmod(tmp, self.path.stat().st_mode & 0o777)
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        self.text = text
        return True


__all__ = ["BankFile", "plain", "H4SError"]
