"""benchmarks/README.md's result tables are rendered from the results files (issue 19, item 20: figures typed
by hand did not add up, e.g. a ratio column that disagreed with the figures beside it).

What a reader relies on: the README's tables are exactly what `benchmarks/report.py` renders from
`benchmarks/results/`, each says which run (command, date, commit, load) it came from, and every ratio shown
is the quotient of the two figures in its own row.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

report = pytest.importorskip("report", reason="benchmarks/report.py imports run.py, which needs vtcore")

README = BENCHMARKS / "README.md"
#: The sections whose figures the README's prose relies on: their results must be committed.
REQUIRED = ("latency", "event_engine", "run")


def test_the_readme_tables_are_what_the_results_give() -> None:
    text = README.read_text(encoding="utf-8")
    for name in REQUIRED:
        file, _ = report.SECTIONS[name]
        assert report.BEGIN.format(name=name, file=file) in text, f"README has no generated {name} section"
        assert (report.RESULTS / file).is_file(), f"benchmarks/results/{file} is not committed"
    rendered = report.render_readme(text)
    assert rendered == text, "README differs from its results: run python benchmarks/report.py"


def test_each_generated_section_says_which_run_it_came_from() -> None:
    for name in REQUIRED:
        file, render = report.SECTIONS[name]
        data = json.loads((report.RESULTS / file).read_text(encoding="utf-8"))
        first = render(data)[0]
        assert first.startswith("Measured ") and data["machine"]["vtcore_commit"] in first
        assert re.search(r"load average \d+\.\d at the start and \d+\.\d at the end", first), first


NUMBER = r"(-?[\d,]+(?:\.\d+)?)"


def figures(cell: str) -> float | None:
    match = re.fullmatch(NUMBER + r"(?: \S+)?", cell.strip())
    return float(match.group(1).replace(",", "")) if match else None


def test_every_ratio_shown_is_the_quotient_of_its_row() -> None:
    """Every rendered row with two figures and a ratio: the ratio is one figure over the other (either way
    round: `ratio` says how many times better vtcore is), to the rounding the table shows."""
    checked = 0
    for name in REQUIRED:
        file, render = report.SECTIONS[name]
        for line in render(json.loads((report.RESULTS / file).read_text(encoding="utf-8"))):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            ratios = [i for i, cell in enumerate(cells) if re.fullmatch(NUMBER + "x", cell)]
            if not line.startswith("|") or not ratios:
                continue
            i = ratios[0]
            shown = float(cells[i][:-1].replace(",", ""))
            a, b = figures(cells[i - 2]), figures(cells[i - 1])
            if not a or not b:
                continue
            # The figures are rounded as shown; allow for it (two decimals below 100, integers above).
            slack = max(0.02, 0.01 * shown) + shown * (0.5 / min(abs(a), abs(b)) if min(abs(a), abs(b)) >= 100
                                                       else 0.005 / min(abs(a), abs(b)))
            assert min(abs(a / b - shown), abs(b / a - shown)) <= slack, line
            checked += 1
    assert checked > 0
