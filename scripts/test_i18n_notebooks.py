#!/usr/bin/env python3
"""Tests of scripts/i18n-notebooks.py on a small made-up repository (plain Python 3, no packages):

    python3 scripts/test_i18n_notebooks.py

The generator is copied into a temporary tree (it takes its repository from its own place), with
one English notebook, its translation, a README pair and a chart table; each test breaks one thing
and expects --check to fail naming it.
"""
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "i18n-notebooks.py"

INTRO = "# 99 · A test\n\nThe intro, with `get_batch`.\n"
OUTRO = "The end: loss 4.17.\n"
CODE = 'XYChart c = Charts.chart("loss per step", "step", "loss");\nc.addSeries("yours (" + n + " of 11 parts)", x, y);'


def sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def cell(kind, text, i):
    c = {"cell_type": kind, "id": f"c{i:02d}", "metadata": {}, "source": text.splitlines(keepends=True)}
    if kind == "code":
        c.update(execution_count=1, outputs=[{"name": "stdout", "output_type": "stream", "text": ["4.17\n"]}])
    return c


class GeneratorTest(unittest.TestCase):
    def setUp(self):
        self.root = Path(tempfile.mkdtemp(prefix="i18n-test-"))
        (self.root / "scripts").mkdir()
        shutil.copy(SCRIPT, self.root / "scripts" / SCRIPT.name)
        nb = {"cells": [cell("markdown", INTRO, 0), cell("code", CODE, 1), cell("markdown", OUTRO, 2)],
              "metadata": {"kernelspec": {"name": "gptkit-java"}}, "nbformat": 4, "nbformat_minor": 5}
        self.write("notebooks/99_test.ipynb", nb)
        self.write("notebooks/i18n/zh/99_test.json", {"notebook": "99_test.ipynb", "cells": [
            {"en_sha": sha(INTRO), "zh": "# 99 · 一个测试\n\n引言，含 `get_batch`。\n"},
            {"en_sha": sha(OUTRO), "zh": "结束：损失 4.17。\n"}]})
        table = self.root / "src/main/resources/gptkit/i18n/charts_zh.tsv"
        table.parent.mkdir(parents=True)
        table.write_text("loss per step\t每步的损失\nstep\t步\nloss\t损失\nyours ({} of 11 parts)\t你的（11 个部件中的 {} 个）\n",
                         encoding="utf-8")
        (self.root / "README.md").write_text("# kit\n\n## Run\n\n```bash\n./gptkit train\n```\n", encoding="utf-8")
        (self.root / "README.zh.md").write_text("# 工具包\n\n## 运行\n\n```bash\n./gptkit train\n```\n", encoding="utf-8")
        self.assertEqual(0, self.gen("--write").returncode)

    def tearDown(self):
        shutil.rmtree(self.root)

    def write(self, rel, obj):
        p = self.root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    def read(self, rel):
        return json.loads((self.root / rel).read_text(encoding="utf-8"))

    def gen(self, *args):
        return subprocess.run([sys.executable, str(self.root / "scripts" / SCRIPT.name), *args],
                              capture_output=True, text=True)

    def test_generated_notebook_has_the_chinese_text_and_the_same_code(self):
        zh = self.read("notebooks/zh/99_test.ipynb")
        en = self.read("notebooks/99_test.ipynb")
        self.assertEqual("[English](../99_test.ipynb) · 中文\n\n# 99 · 一个测试\n\n引言，含 `get_batch`。\n",
                         "".join(zh["cells"][0]["source"]))
        self.assertEqual(en["cells"][1], zh["cells"][1])  # code and its outputs copied
        r = self.gen("--check")
        self.assertEqual(0, r.returncode, r.stdout + r.stderr)
        self.assertIn("1 notebooks, 2 cells translated, stale 0, missing 0", r.stdout)

    def test_a_stale_entry_fails_the_check(self):
        nb = self.read("notebooks/99_test.ipynb")
        nb["cells"][2]["source"] = ["The end: loss 4.16.\n"]  # the English changed, the Chinese did not
        self.write("notebooks/99_test.ipynb", nb)
        r = self.gen("--check")
        self.assertEqual(1, r.returncode, r.stdout)
        self.assertIn("entry 1 is stale: markdown cell 2 (c02) of 99_test.ipynb", r.stdout)
        self.assertIn("stale 1, missing 0", r.stdout)
        t = json.loads(self.gen("--template", "99").stdout)
        self.assertEqual({"en_sha": sha("The end: loss 4.16.\n"), "en": "The end: loss 4.16.\n", "zh": ""},
                         t["cells"][1])

    def test_a_missing_translation_file_fails_the_check(self):
        (self.root / "notebooks/i18n/zh/99_test.json").unlink()
        r = self.gen("--check")
        self.assertEqual(1, r.returncode)
        self.assertIn("notebooks/i18n/zh/99_test.json: missing (0 of 2 markdown cells translated)", r.stdout)
        self.assertIn("0 cells translated, stale 0, missing 2", r.stdout)

    def test_a_hand_edited_zh_notebook_fails_the_check_but_new_outputs_do_not(self):
        zh = self.read("notebooks/zh/99_test.ipynb")
        zh["cells"][1]["outputs"][0]["text"] = ["4.18\n"]  # a Chinese run's own outputs: kept
        self.write("notebooks/zh/99_test.ipynb", zh)
        self.assertEqual(0, self.gen("--check").returncode)
        self.assertEqual(0, self.gen("--write").returncode)
        self.assertEqual(["4.18\n"], self.read("notebooks/zh/99_test.ipynb")["cells"][1]["outputs"][0]["text"])
        zh["cells"][1]["source"] = ["int x = 1;"]
        self.write("notebooks/zh/99_test.ipynb", zh)
        r = self.gen("--check")
        self.assertEqual(1, r.returncode)
        self.assertIn("notebooks/zh/99_test.ipynb: differs from what its English notebook and translation make", r.stdout)

    def test_a_moved_code_cell_keeps_its_chinese_outputs(self):
        zh = self.read("notebooks/zh/99_test.ipynb")
        zh["cells"][1]["outputs"][0]["text"] = ["4.18 (中文)\n"]  # the Chinese run's own output
        self.write("notebooks/zh/99_test.ipynb", zh)
        nb = self.read("notebooks/99_test.ipynb")
        new = cell("code", "int shown = 1;", 3)  # a new code cell in front of it, as when a cell moves
        nb["cells"] = [nb["cells"][0], new, nb["cells"][2], nb["cells"][1]]
        self.write("notebooks/99_test.ipynb", nb)
        self.assertEqual(0, self.gen("--write").returncode)
        cells = self.read("notebooks/zh/99_test.ipynb")["cells"]
        self.assertEqual(["4.18 (中文)\n"], cells[3]["outputs"][0]["text"])  # found by its source
        self.assertEqual(["4.17\n"], cells[1]["outputs"][0]["text"])  # the new cell: the English outputs

    def test_a_malformed_translation_is_named(self):
        (self.root / "notebooks/i18n/zh/99_test.json").write_text('{"notebook": "99_test.ipynb", "cells": [{"en_sha": "xyz"}]}')
        r = self.gen("--check")
        self.assertEqual(2, r.returncode)
        self.assertIn("notebooks/i18n/zh/99_test.json: entry 0 must be", r.stderr)

    def test_a_term_other_than_the_glossarys_fails_the_check_with_file_and_line(self):
        (self.root / "notebooks/i18n/zh/glossary.tsv").write_text("# terms\ngrader\t评分程序\t评分器\n", encoding="utf-8")
        self.assertEqual(0, self.gen("--check").returncode)
        (self.root / "README.zh.md").write_text("# 工具包\n\n## 运行\n\n评分器在这里。\n\n```bash\n./gptkit train\n```\n",
                                                encoding="utf-8")
        r = self.gen("--check")
        self.assertEqual(1, r.returncode, r.stdout)
        self.assertIn("README.zh.md:5: 评分器 for 'grader'; the glossary's term is 评分程序", r.stdout)

    def test_a_term_other_than_the_glossarys_in_a_statement_or_a_check_title_is_named(self):
        (self.root / "notebooks/i18n/zh/glossary.tsv").write_text("# terms\nreport card\t成绩单\t报告卡\n",
                                                                 encoding="utf-8")
        (self.root / "exercises/zh").mkdir(parents=True)
        (self.root / "exercises/zh/GetLr.md").write_text("# get_lr\n\n看成绩单。\n", encoding="utf-8")
        checks = self.root / "src/test/resources/gptkit/grading/checks_zh.tsv"
        checks.parent.mkdir(parents=True, exist_ok=True)
        checks.write_text("# titles\nthe card\t成绩单\n", encoding="utf-8")
        self.assertEqual(0, self.gen("--check").returncode)
        (self.root / "exercises/zh/GetLr.md").write_text("# get_lr\n\n看报告卡。\n", encoding="utf-8")
        checks.write_text("# titles\nthe card\t报告卡\n", encoding="utf-8")
        r = self.gen("--check")
        self.assertEqual(1, r.returncode, r.stdout)
        self.assertIn("exercises/zh/GetLr.md:3: 报告卡 for 'report card'; the glossary's term is 成绩单", r.stdout)
        self.assertIn("src/test/resources/gptkit/grading/checks_zh.tsv:2: 报告卡 for 'report card'", r.stdout)

    def test_an_untranslated_chart_label_fails_the_check(self):
        table = self.root / "src/main/resources/gptkit/i18n/charts_zh.tsv"
        table.write_text(table.read_text(encoding="utf-8").replace("step\t步\n", ""), encoding="utf-8")
        r = self.gen("--check")
        self.assertEqual(1, r.returncode)
        self.assertIn("no Chinese for the chart label 'step' (99_test.ipynb cell 1)", r.stdout)

    def test_readme_out_of_step_fails_the_check(self):
        zh = self.root / "README.zh.md"
        zh.write_text(zh.read_text(encoding="utf-8").replace("./gptkit train", "./gptkit 训练"), encoding="utf-8")
        r = self.gen("--check")
        self.assertEqual(1, r.returncode)
        self.assertIn("README.zh.md: its fenced code blocks differ from README.md's from block 1 on", r.stdout)


if __name__ == "__main__":
    unittest.main()
