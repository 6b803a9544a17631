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

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

report = pytest.importorskip("report", reason="benchmarks/report.py imports run.py, which needs vtcore")

README = BENCHMARKS / "README.md"
#: The sections whose figures the README's prose relies on: their results must be committed.
REQUIRED = ("latency", "event_engine", "run", "venue_parse", "tap_femas", "ashare", "order_path", "oes")


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


def figure(cell: str) -> tuple[float, float] | None:
    """(value, half a unit of its last shown digit) of a cell like "4.6", "1,234 µs" or "9.82x"; None if it
    holds no single figure."""
    match = re.fullmatch(NUMBER + r"(?:x| \S+)?", cell.strip())
    if not match:
        return None
    text = match.group(1).replace(",", "")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return float(text), 0.5 * 10**-decimals


def test_every_ratio_shown_is_the_quotient_of_its_row() -> None:
    """Every rendered row with two figures and a ratio: the ratio is one figure over the other (either way
    round: `ratio` says how many times better vtcore is), to the rounding the table shows."""
    checked = 0
    for file, render in report.SECTIONS.values():
        if not (report.RESULTS / file).is_file():
            continue
        for line in render(json.loads((report.RESULTS / file).read_text(encoding="utf-8"))):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            ratios = [i for i, cell in enumerate(cells) if re.fullmatch(NUMBER + "x", cell)]
            if not line.startswith("|") or not ratios:
                continue
            i = ratios[0]
            ratio, a, b = figure(cells[i]), figure(cells[i - 2]), figure(cells[i - 1])
            if not ratio or not a or not b or not a[0] or not b[0]:
                continue
            # Each figure is rounded as shown: allow for the rounding of all three.
            slack = ratio[1] + ratio[0] * (a[1] / abs(a[0]) + b[1] / abs(b[0]))
            assert min(abs(a[0] / b[0] - ratio[0]), abs(b[0] / a[0] - ratio[0])) <= slack, line
            checked += 1
    assert checked > 0
