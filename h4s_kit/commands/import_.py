"""`h4s import gift|moodle-xml|jupyterquiz FILE -o BANK.yml`: foreign questions into an h4s bank."""
from __future__ import annotations

from pathlib import Path

FORMATS = ("gift", "moodle-xml", "jupyterquiz")


def add_parser(sub):
    p = sub.add_parser(
        "import", help="import questions from GIFT, Moodle XML or jupyterquiz JSON into an h4s bank",
        description="Convert a GIFT file, a Moodle XML export or a jupyterquiz JSON file into an h4s question "
                    "bank (schema_version 1). Prints 'imported N questions' and one warning line per question "
                    "that could only partly be converted. A question that cannot be read is refused with its file and line; the "
                    "others are imported, and the command then exits with 1.")
    p.add_argument("format", choices=FORMATS, help="format of FILE")
    p.add_argument("file", metavar="FILE", help="the file to read (UTF-8)")
    p.add_argument("-o", "--output", required=True, metavar="BANK.yml", help="the h4s bank to write (YAML or .json)")
    p.add_argument("--force", action="store_true", help="overwrite BANK.yml if it exists")
    p.set_defaults(func=run)


def dump_bank(bank: dict) -> str:
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def _str(dumper, data):
        style = "|" if "\n" in data else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    _Dumper.add_representer(str, _str)
    return yaml.dump(bank, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def read_question_file(fmt: str, path: str | Path):
    from h4s_widgets._errors import ImportFormatError
    path = Path(path)
    if not path.is_file():
        raise ImportFormatError(f"{path}: file not found; check the path (relative to {Path.cwd()})")
    if fmt == "gift":
        from h4s_kit.interop.gift import read_gift
        return read_gift(path)
    if fmt == "moodle-xml":
        from h4s_kit.interop.moodle_xml import read_moodle_xml
        return read_moodle_xml(path)
    from h4s_kit.interop.jupyterquiz import read_jupyterquiz
    return read_jupyterquiz(path)


def run(args) -> int:
    import json

    from h4s_widgets._errors import H4SError
    from h4s_widgets._schema import parse_bank

    out = Path(args.output)
    if out.exists() and not args.force:
        raise H4SError(f"{out}: exists; choose another name or add --force to overwrite it")
    result = read_question_file(args.format, args.file)
    parse_bank(result.bank, source=str(out))   # validated again: nothing invalid is ever written
    for w in result.warnings:
        print(f"warning: {w}")
    out.parent.mkdir(parents=True, exist_ok=True)
    media = getattr(result, "media", {}) or {}
    if media:   # files embedded in the questions: the module's media/ folder (MODULE/questions/bank.yml -> MODULE/media)
        mdir = (out.parent.parent if out.parent.name == "questions" else out.parent) / "media"
        mdir.mkdir(parents=True, exist_ok=True)
        for name, data in media.items():
            target = mdir / name
            if target.exists() and target.read_bytes() != data and not args.force:
                raise H4SError(f"{target}: exists with other content; move it or add --force to overwrite it")
            target.write_bytes(data)
        print(f"wrote {len(media)} embedded file{'s' if len(media) != 1 else ''} to {mdir}")
    if out.suffix.lower() == ".json":
        out.write_text(json.dumps(result.bank, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    else:
        out.write_text(dump_bank(result.bank), encoding="utf-8")
    cats: dict[str, int] = {}
    for c in result.categories.values():
        cats[c] = cats.get(c, 0) + 1
    if len(cats) > 1:
        print("note: the questions come from " + str(len(cats)) + " Moodle categories ("
              + ", ".join(f"{c}: {k}" for c, k in cats.items())
              + "); an h4s bank has no categories, so they are all in one bank")
    skipped = f" ({result.skipped} skipped)" if result.skipped else ""
    print(f"imported {result.count} question{'s' if result.count != 1 else ''}{skipped} into {out}")
    refused = getattr(result, "refused", [])
    if refused:
        import sys
        for r in refused:
            print(f"refused: {r}", file=sys.stderr)
        print(f"h4s import: {len(refused)} question{'s' if len(refused) != 1 else ''} refused (listed above); "
              f"the other {result.count} are in {out}. Fix them in {Path(args.file).name} and import again.",
              file=sys.stderr)
        return 1
    return 0
