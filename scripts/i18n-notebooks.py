#!/usr/bin/env python3
"""The Chinese notebooks, generated from one source: notebooks/NN_name.ipynb (the code, the English
text) plus notebooks/i18n/zh/NN_name.json (the Chinese text of each markdown cell). Plain Python 3.

    python3 scripts/i18n-notebooks.py --write      # regenerate notebooks/zh/*.ipynb
    python3 scripts/i18n-notebooks.py --check      # exit 1 on a stale or missing translation, a zh
                                                   # notebook that differs from what --write makes,
                                                   # a chart label without Chinese, README.zh.md out
                                                   # of step with README.md, a term other than
                                                   # the glossary's (notebooks/i18n/zh/glossary.tsv)
                                                   # in notebooks, exercises/zh, hints, README.zh.md
    python3 scripts/i18n-notebooks.py --report     # "N notebooks, M cells translated, stale S, missing K"
    python3 scripts/i18n-notebooks.py --template 03  # entries for the new or changed cells of 03

A translation file (the format is fixed; translators write it by hand or from --template):

    {"notebook": "NN_name.ipynb", "cells": [{"en_sha": "<16 hex>", "zh": "<Chinese markdown>"}, ...]}

one entry per English markdown cell in the notebook's order; en_sha is the first 16 hex digits of
the sha256 of the English cell's source (''.join(cell.source), UTF-8). When the English cell is
edited its sha changes and the entry is stale: --check fails until a translator updates it.

Code cells are copied byte for byte, so a zh notebook computes exactly what the English one does:
CI checks the sources here instead of running eleven more notebooks. Outputs: a committed zh
notebook keeps its own outputs (a full-length run in Chinese, charts with Chinese labels) for every
code cell whose source did not change, wherever the cell moved; other code cells get the English notebook's outputs.
"""
import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
ZH = NOTEBOOKS / "zh"
I18N = NOTEBOOKS / "i18n" / "zh"
CHART_TABLE = REPO / "src" / "main" / "resources" / "gptkit" / "i18n" / "charts_zh.tsv"


class Bad(Exception):
    """A problem a person must fix; the message names the file, the cell, what is wrong and what to do."""


def sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def source(cell):
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def lines(text):
    return text.splitlines(keepends=True)


def read_json(path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise Bad(f"{rel(path)}: not valid UTF-8 JSON ({e}); fix the file (write it with "
                  "json.dump(obj, f, ensure_ascii=False, indent=1))")


def write_json(path, obj):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def rel(path):
    return str(Path(path).resolve().relative_to(REPO))


def english_notebooks(only=None):
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if only:
        paths = [p for p in paths if p.name.startswith(only)]
        if not paths:
            raise Bad(f"no notebooks/{only}_*.ipynb; give a notebook's number, e.g. --template 03")
    return paths


def load_translation(nb_path):
    """The entries of nb_path's translation file, checked for shape; None when there is no file."""
    path = I18N / (nb_path.stem + ".json")
    if not path.exists():
        return None
    t = read_json(path)
    if not isinstance(t, dict) or not isinstance(t.get("cells"), list):
        raise Bad(f"{rel(path)}: expected {{\"notebook\": ..., \"cells\": [...]}}; see scripts/i18n-notebooks.py's docstring")
    if t.get("notebook") != nb_path.name:
        raise Bad(f"{rel(path)}: \"notebook\" is {t.get('notebook')!r}, the file belongs to {nb_path.name!r}; fix the name")
    for i, e in enumerate(t["cells"]):
        if (not isinstance(e, dict) or not isinstance(e.get("en_sha"), str)
                or not re.fullmatch(r"[0-9a-f]{16}", e["en_sha"]) or not isinstance(e.get("zh"), str)):
            raise Bad(f"{rel(path)}: entry {i} must be {{\"en_sha\": \"<16 hex>\", \"zh\": \"<markdown>\"}}, got "
                      f"{json.dumps(e, ensure_ascii=False)[:120]}; fix it or regenerate it with --template")
        if not e["zh"].strip():
            raise Bad(f"{rel(path)}: entry {i} (en_sha {e['en_sha']}) has an empty translation; translate the cell")
    return t["cells"]


def match(nb_path, nb, entries):
    """For each English markdown cell (index in nb.cells): its entry, or None when missing or stale.
    Returns (pairs, stale, missing, problems) with problems as readable lines."""
    md = [(i, c) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown"]
    where = rel(I18N / (nb_path.stem + ".json"))
    if entries is None:
        return [(i, c, None) for i, c in md], 0, len(md), [f"{where}: missing (0 of {len(md)} markdown cells translated)"]
    pairs, stale, missing, problems = [], 0, 0, []
    for k, (i, c) in enumerate(md):
        e = entries[k] if k < len(entries) else None
        if e is None:
            missing += 1
            problems.append(f"{where}: entry {k} missing, for markdown cell {i} ({c.get('id')}) of {nb_path.name}; "
                            f"add it (--template {nb_path.name[:2]})")
        elif e["en_sha"] != sha(source(c)):
            stale += 1
            e = None
            problems.append(f"{where}: entry {k} is stale: markdown cell {i} ({c.get('id')}) of {nb_path.name} "
                            f"changed since it was translated; update it (--template {nb_path.name[:2]} shows the new English)")
        pairs.append((i, c, e))
    if len(entries) > len(md):
        problems.append(f"{where}: {len(entries)} entries for {len(md)} markdown cells of {nb_path.name}; "
                        "one entry per markdown cell, in order: remove the extra ones")
    return pairs, stale, missing, problems


def back_link(nb_path):
    return f"[English](../{nb_path.name}) · 中文\n\n"


def generate(nb_path, nb, pairs, committed):
    """The zh notebook: the English one with each markdown cell's Chinese, and the committed zh
    notebook's outputs where a code cell is unchanged."""
    zh = json.loads(json.dumps(nb))
    by_index = {i: e for i, _, e in pairs}
    # the committed zh outputs, found by source (not by position): a code cell moved, added or
    # removed in the English notebook keeps the Chinese outputs of every unchanged cell
    old_code = {}
    for old in (c for c in (committed["cells"] if committed else []) if c["cell_type"] == "code"):
        old_code.setdefault(source(old), []).append(old)
    first_md = True
    for i, c in enumerate(zh["cells"]):
        if c["cell_type"] == "markdown":
            text = by_index[i]["zh"]
            if first_md:
                text = back_link(nb_path) + text
                first_md = False
            c["source"] = lines(text)
        elif c["cell_type"] == "code":
            same = old_code.get(source(c))
            if same:
                old = same.pop(0)
                c["outputs"] = old.get("outputs", [])
                c["execution_count"] = old.get("execution_count")
    if committed and "gptkit" in committed.get("metadata", {}):
        zh["metadata"]["gptkit"] = committed["metadata"]["gptkit"]
    return zh


def sources(nb):
    return [(c["cell_type"], source(c)) for c in nb["cells"]]


def chart_labels():
    """The English labels the notebooks give charts as string literals, with "{}" for the pieces
    added at run time (e.g. "peak lr 1e-2, warmup {}")."""
    call = re.compile(r'(?:Charts\.(?:chart|addCurve|bars)|LiveChart\.attach|runs\.put|\.addSeries|\.setTitle|'
                      r'\.title|\.xAxisTitle|\.yAxisTitle|Pictures\.heatmap)\s*\(')
    found = {}
    for p in english_notebooks():
        nb = read_json(p)
        for i, c in enumerate(nb["cells"]):
            if c["cell_type"] != "code":
                continue
            text = source(c)
            for m in call.finditer(text):
                for label in literal_args(text, m.end()):
                    found.setdefault(label, f"{p.name} cell {i}")
    return found


def literal_args(text, start):
    """The arguments of the call opening at text[start-1] that are string literals or
    concatenations of literals and expressions (one level of parentheses deep)."""
    depth, arg, args, i = 0, "", [], start
    while i < len(text):
        ch = text[i]
        if ch == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            arg += text[i:j + 1]
            i = j + 1
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                args.append(arg)
                break
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(arg)
            arg = ""
            i += 1
            continue
        arg += ch
        i += 1
    labels = []
    for a in (a.strip() for a in args):
        # a label is a literal, or literals and expressions joined with +; a literal inside some
        # other expression (s.intColumn("iter")) is not
        if not (a.startswith('"') or re.search(r'"\s*\+|\+\s*"', a)):
            continue
        template = ""
        for p in re.split(r'("(?:[^"\\]|\\.)*")', a):
            if p.startswith('"'):
                template += json.loads(p)
            elif p.strip(" +\n"):
                template += "{}"
        labels.append(template)
    return labels


def chart_table():
    table = {}
    if not CHART_TABLE.exists():
        return table
    for n, line in enumerate(CHART_TABLE.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if line.count("\t") != 1:
            raise Bad(f"{rel(CHART_TABLE)}: line {n}: expected 'English<TAB>中文', got {line!r}; "
                      "one tab between the English label and its Chinese")
        en, zh = line.split("\t")
        table[en] = zh
    return table


def readme_problems():
    """README.zh.md follows README.md: the same ## sections, the same fenced code blocks byte for byte."""
    en_path, zh_path = REPO / "README.md", REPO / "README.zh.md"
    if not zh_path.exists():
        return [f"README.zh.md: missing; translate README.md"]
    en, zh = en_path.read_text(encoding="utf-8"), zh_path.read_text(encoding="utf-8")
    fence = re.compile(r"^```.*?^```", re.S | re.M)
    problems = []
    heads = lambda t: [l for l in fence.sub("", t).splitlines() if l.startswith("## ")]
    if len(heads(en)) != len(heads(zh)):
        problems.append(f"README.zh.md: {len(heads(zh))} '## ' sections, README.md has {len(heads(en))}; "
                        "keep the same sections in the same order")
    en_code, zh_code = fence.findall(en), fence.findall(zh)
    if en_code != zh_code:
        diff = next((k for k, (a, b) in enumerate(zip(en_code, zh_code)) if a != b), min(len(en_code), len(zh_code)))
        problems.append(f"README.zh.md: its fenced code blocks differ from README.md's from block {diff + 1} on "
                        f"({len(zh_code)} blocks against {len(en_code)}); copy README.md's commands byte for byte")
    return problems


GLOSSARY = I18N / "glossary.tsv"


def glossary_problems():
    """One Chinese term per English one (notebooks/i18n/zh/glossary.tsv): a refused variant in the
    translations, the Chinese exercise statements (exercises/zh/*.md), the grader's Chinese hints,
    check titles and failure messages or README.zh.md is named with its file and line."""
    if not GLOSSARY.exists():
        return []
    refused = {}
    for n, line in enumerate(GLOSSARY.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 2 or not cols[0] or not cols[1]:
            raise Bad(f"{rel(GLOSSARY)}:{n}: write 'English<TAB>中文<TAB>refused variants', not {line!r}")
        for v in (cols[2].split(",") if len(cols) > 2 else []):
            if v.strip():
                refused[v.strip()] = (cols[0], cols[1])
    grading = REPO / "src/test/resources/gptkit/grading"
    files = (sorted(I18N.glob("*.json")) + sorted((REPO / "exercises/zh").glob("*.md"))
             + [grading / "hints_zh.tsv", grading / "checks_zh.tsv", grading / "messages_zh.tsv", REPO / "README.zh.md"])
    problems = []
    for f in files:
        if not f.exists():
            continue
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            for v, (en, zh) in refused.items():
                if v in line:
                    problems.append(f"{rel(f)}:{n}: {v} for '{en}'; the glossary's term is {zh} ({rel(GLOSSARY)})")
    return problems


def run(args):
    problems, notebooks, translated, stale, missing = [], 0, 0, 0, 0
    for p in english_notebooks():
        nb = read_json(p)
        entries = load_translation(p)
        pairs, s, m, probs = match(p, nb, entries)
        notebooks += 1
        stale += s
        missing += m
        translated += sum(1 for _, _, e in pairs if e is not None)
        problems += probs
        target = ZH / p.name
        if entries is None or s or m:
            continue  # nothing to write; --check reports it
        committed = read_json(target) if target.exists() else None
        zh = generate(p, nb, pairs, committed)
        if args.write:
            write_json(target, zh)
        elif args.check:
            if committed is None:
                problems.append(f"{rel(target)}: missing; run scripts/i18n-notebooks.py --write")
            elif sources(committed) != sources(zh):
                problems.append(f"{rel(target)}: differs from what its English notebook and translation make "
                                "(a hand edit, or --write not run); run scripts/i18n-notebooks.py --write")
    report = f"{notebooks} notebooks, {translated} cells translated, stale {stale}, missing {missing}"
    if args.check:
        table = chart_table()
        for label, where in sorted(chart_labels().items()):
            if label not in table:
                problems.append(f"{rel(CHART_TABLE)}: no Chinese for the chart label {label!r} ({where}); "
                                "add a line 'English<TAB>中文'")
        problems += readme_problems()
        problems += glossary_problems()
    for line in problems if args.check else []:
        print(line)
    print(report)
    return 1 if args.check and problems else 0


def template(number):
    """Entries for every markdown cell of notebook NN: kept as they are where still current, and
    for a new or changed cell the English beside an empty zh, for a translator to fill in."""
    out = []
    for p in english_notebooks(number):
        nb = read_json(p)
        entries = load_translation(p) or []
        current = {e["en_sha"]: e for e in entries}
        cells = []
        for c in nb["cells"]:
            if c["cell_type"] != "markdown":
                continue
            h = sha(source(c))
            cells.append(current[h] if h in current else {"en_sha": h, "en": source(c), "zh": ""})
        out.append({"notebook": p.name, "cells": cells})
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--write", action="store_true")
    g.add_argument("--check", action="store_true")
    g.add_argument("--report", action="store_true")
    g.add_argument("--template", metavar="NN")
    args = ap.parse_args(argv)
    try:
        if args.template:
            for t in template(args.template):
                print(json.dumps(t, ensure_ascii=False, indent=1))
            return 0
        return run(args)
    except Bad as e:
        print(f"i18n-notebooks: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
