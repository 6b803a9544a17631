"""Renders benchmarks/README.md's result tables from the results files, so prose and figures cannot drift:

    python benchmarks/report.py            # rewrite the generated sections of benchmarks/README.md
    python benchmarks/report.py --check    # exit 1 when README.md differs from what the results give

The results files live in benchmarks/results/ (committed with the README they feed):

* ``latency.json``: ``python benchmarks/run.py --only latency --json benchmarks/results/latency.json`` (end to
  end through the CTP simulator: latency per engine profile, quiet and contended, CPU, targets);
* ``run.json``: ``python benchmarks/run.py --json benchmarks/results/run.json`` (end to end through the CTP
  simulator: throughput, busy main thread, orders, micro-benchmarks, fidelity);
* ``event_engine.json``: ``python benchmarks/bench_event_engine.py --json
  benchmarks/results/event_engine.json``;
* ``venue_parse.json``: ``python benchmarks/bench_venue_parse.py --json benchmarks/results/venue_parse.json``;
* ``ashare.json``: ``python benchmarks/bench_ashare.py --json benchmarks/results/ashare.json``;
* ``order_path.json``: ``python benchmarks/profile_order_path.py --json benchmarks/results/order_path.json``;
* ``tap_femas.json``: ``python benchmarks/bench_tap_femas.py --json benchmarks/results/tap_femas.json``;
* ``oes.json``: ``python benchmarks/bench_oes.py --json benchmarks/results/oes.json``.

Each generated section sits between ``<!-- BEGIN GENERATED name -->`` and ``<!-- END GENERATED name -->`` in
the README and opens with the command, the date, the commit and the machine's load average of its run. Every
ratio in a table is computed from the figures in the same row.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import run as bench_run  # noqa: E402
from bench_ashare import baseline_of  # noqa: E402

README = HERE / "README.md"
RESULTS = HERE / "results"
BEGIN = "<!-- BEGIN GENERATED {name}: benchmarks/report.py renders this from benchmarks/results/{file} -->"
END = "<!-- END GENERATED {name} -->"


def number(value: float | None, unit: str = "") -> str:
    """A figure as the tables show it: thousands separated, two decimals below 100."""
    if value is None:
        return "–"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"
    return f"{text} {unit}".rstrip()


ratio_text = bench_run.fmt_ratio


def verdict(met: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "–"}[met]


def provenance(data: dict[str, Any], command: str) -> str:
    machine = data["machine"]
    start = machine["load_average_start"][0]
    end = machine.get("load_average_end", [start])[0]
    cpus = machine.get("cpus", machine.get("cores"))
    quick = " **(quick mode: small inputs, not a measurement)**" if data.get("quick") else ""
    return (
        f"Measured {data['started']} by `{command}` at commit {machine['vtcore_commit']}, "
        f"{data['duration_s']:.0f} s, {cpus} CPUs, Python {machine['python']}, load average {start:.1f} at "
        f"the start and {end:.1f} at the end{quick}. Compare ratios, not absolute figures: the machine is "
        "shared."
    )


# -- bench_event_engine.py --------------------------------------------------------------------------------


def render_event_engine(data: dict[str, Any]) -> list[str]:
    lines = [provenance(data, data.get("command", "python benchmarks/bench_event_engine.py")), ""]
    rows = [r for r in data["results"] if r["section"] != "c"]
    if rows:
        lines += [
            "| | measure | vn.py 4.5.0 | vtcore | ratio | target | met? |",
            "|---|---|---:|---:|---:|---|---|",
        ]
        for r in rows:
            lines.append(
                f"| ({r['section']}) | {r['name']}{'; ' + r['note'] if r['note'] else ''} "
                f"| {number(r['vnpy'], r['unit'])} | {number(r['vtcore'], r['unit'])} "
                f"| {ratio_text(r['ratio'])} "
                f"| {target_text(r)} | {verdict(r['met'])} |"
            )
        lines.append("")
    lines += latency_table(data["latency"], "engine_cpu", "engine thread")
    if data["idle"]:
        lines += idle_table(data["idle"], "engine_cpu", "process_cpu")
    targets = [r for r in data["results"] if r["section"] == "c"]
    if targets:
        met = sum(1 for r in targets if r["met"])
        marked = sum(1 for r in targets if r["met"] is not None)
        lines += [
            f"(c) put() -> handler p99 against vn.py's put(), same feed and condition (target: at most 1/3 "
            f"of vn.py's in the latency and balanced profiles; {met} of {marked} met):",
            "",
            "| profile, feed, condition | vn.py p99 | vtcore p99 | ratio | met? |",
            "|---|---:|---:|---:|---|",
        ]
        for r in targets:
            name = r["name"].removeprefix("put() -> handler p99, ")
            lines.append(
                f"| {name} | {number(r['vnpy'])} | {number(r['vtcore'])} | {ratio_text(r['ratio'])} "
                f"| {verdict(r['met'])} |"
            )
    if data.get("put_traces"):
        lines += ["", *put_trace_table(data["put_traces"])]
    return lines


def put_trace_table(traces: list[dict[str, Any]]) -> list[str]:
    """bench_event_engine.py (c'): where a put()'s time goes, stage by stage."""
    stages = list(traces[0]["stages"])
    lines = [
        "(c') Where a put()'s time goes (traced runs, quiet; µs, p50 / p99 of each stage; the engine's "
        'timestamps read at handler entry; "with a wait": the events whose delivery began with a wait of '
        "the engine, the others it found while dispatching and count only in the whole):",
        "",
        "| feed | profile | with a wait | " + " | ".join(stages) + " |",
        "|---|---|---:|" + "---:|" * len(stages),
    ]
    for trace in traces:
        cells = [trace["load"], trace["profile"], f"{trace['with_a_wait']} of {trace['events']}"]
        for name in stages:
            stage = trace["stages"][name]
            cells.append(f"{bench_run.fmt_us(stage['p50'])} / {bench_run.fmt_us(stage['p99'])}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def target_text(row: dict[str, Any]) -> str:
    if row.get("target_ratio") is not None:
        return f"≥ {row['target_ratio']:g}x"
    if row.get("target_value") is not None:
        sign = "≥" if row["better"] == "higher" else "≤"
        return f"{sign} {number(row['target_value'], row['unit'])}"
    return "–"


def latency_table(rows: list[dict[str, Any]], cpu_key: str, cpu_label: str) -> list[str]:
    """bench_event_engine.py (c): each feed and path, quiet and contended side by side."""
    if not rows:
        return []
    lines = [
        f"(c) Latency (µs) and the {cpu_label}'s CPU share of one core, each feed quiet and beside a "
        "CPU-bound process pinned to the first CPU (contended); load = the load average as the run began:",
        "",
        "| feed | path | quiet p50 | p99 | p99.9 | max | CPU | load "
        "| contended p50 | p99 | p99.9 | max | CPU | load |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    by_key = {(r["load"], r["path"], r["condition"]): r for r in rows}
    for load in dict.fromkeys(r["load"] for r in rows):
        for path in dict.fromkeys(r["path"] for r in rows):
            cells = [load, path]
            for condition in ("quiet", "contended"):
                r = by_key.get((load, path, condition))
                if r is None:
                    cells += ["–"] * 6
                    continue
                cells += [bench_run.fmt_us(r[q]) for q in ("p50", "p99", "p99.9", "max")]
                cells += [f"{r[cpu_key]:.0%}", f"{r['load_average']:.1f}"]
            lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def idle_table(rows: list[dict[str, Any]], cpu_key: str, process_key: str) -> list[str]:
    seconds = rows[0].get("seconds", 0)
    lines = [
        f"Idle for {seconds:.2g} s (no events), CPU share of one core, engine thread / process:",
        "",
        "| engine | quiet | contended |",
        "|---|---:|---:|",
    ]
    by_path: dict[str, dict[str, dict[str, Any]]] = {}
    for r in rows:
        by_path.setdefault(r["path"], {})[r["condition"]] = r
    for path, conditions in by_path.items():
        cells = [path]
        for condition in ("quiet", "contended"):
            r = conditions.get(condition)
            cells.append("–" if r is None else f"{r[cpu_key]:.1%} / {r[process_key]:.1%}")
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


# -- run.py -----------------------------------------------------------------------------------------------


def render_run(data: dict[str, Any]) -> list[str]:
    """run.py's own markdown (one renderer for results.md and the README), its headings under the README's."""
    command = "python benchmarks/run.py" + (f" --only {','.join(data['parts'])}" if "parts" in data else "")
    lines = [provenance(data, command), ""]
    for line in bench_run.markdown(data).splitlines():
        if line.startswith("# ") or line.startswith("Machine:"):
            continue  # the title and machine line: the provenance above says it
        if not line.strip() and not lines[-1].strip():
            continue  # one blank line between blocks
        lines.append("####" + line[2:] if line.startswith("## ") else line)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


# -- bench_venue_parse.py ---------------------------------------------------------------------------------


def render_venue_parse(data: dict[str, Any]) -> list[str]:
    lines = [
        provenance(data, data.get("command", "python benchmarks/bench_venue_parse.py")),
        "",
        "Runs of vtcore and the baseline alternate; each rate is the median of its side's runs, and the pair "
        "ratio is the median of the per-pair ratios (so it need not equal the quotient of the two medians, "
        "shown too). The baseline is vn.py's own parser where the registry has one, else the named "
        "third-party parser of the same events.",
        "",
        "| venue message -> TickData | vtcore msg/s | baseline msg/s | quotient of medians "
        "| median of pair ratios | ≥ 4x? | baseline |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for r in data["parse"]:
        lines.append(
            f"| {r['case']} | {number(r['vtcore'])} | {number(r['baseline'])} "
            f"| {ratio_text(r['vtcore'] / r['baseline'])} "
            f"| {ratio_text(r['pair_ratio'])} | {verdict(r['pair_ratio'] >= 4.0)} | {r['baseline_name']} |"
        )
    # the target is a minimum: at least 4x the baseline on every message type
    weakest = min(r["pair_ratio"] for r in data["parse"])
    lines.append(f"| **minimum** | | | | {ratio_text(weakest)} | {verdict(weakest >= 4.0)} | |")
    lines.append(f"| geometric mean | | | | {ratio_text(data['geometric_mean'])} | | |")
    socket = data["socket"]
    lines += [
        "",
        f"| WebSocket receive, {socket['frames']:,} frames of {socket['frame_bytes']} bytes | frames/s |",
        "|---|---:|",
        f"| aiohttp (vtcore transport) | {number(socket['vtcore'])} |",
        f"| websocket-client | {number(socket['websocket_client'])} |",
        f"| median of pair ratios (quotient of medians "
        f"{ratio_text(socket['vtcore'] / socket['websocket_client'])})"
        f" | {ratio_text(socket['pair_ratio'])} |",
    ]
    return lines


# -- bench_ashare.py ---------------------------------------------------------------------------------------


def render_ashare(data: dict[str, Any]) -> list[str]:
    lines = [provenance(data, data.get("command", "python benchmarks/bench_ashare.py")), ""]
    if data["ticks"]:
        lines += [
            "| ticks into a Python handler | vtcore ticks/s | vn.py gateway ticks/s | ratio | target |",
            "|---|---:|---:|---:|---|",
        ]
        for r in data["ticks"]:
            ratio = r["vtcore"] / r["vnpy_gateway"]
            lines.append(
                f"| {r['sdk']}, burst of {r['count']:,} | {number(r['vtcore'])} "
                f"| {number(r['vnpy_gateway'])} | {ratio_text(ratio)} "
                f"| >= 20x: {'met' if ratio >= 20 else 'MISSED'} |"
            )
        lines.append("")
    if data["orders"]:
        lines += [
            f"Order round trip, send -> first NOTTRADED in Python: {data['rounds']} alternating rounds, "
            f"each after {data['warmup']} orders not counted; percentiles of all rounds' samples. `ratio` = "
            "vn.py's figure / vtcore's (above 1: vtcore faster).",
            "",
            "| order round trip | vtcore | vn.py | ratio | target |",
            "|---|---:|---:|---:|---|",
        ]
        by_sdk: dict[str, dict[str, dict[str, Any]]] = {}
        for r in data["orders"]:
            by_sdk.setdefault(r["sdk"], {})[r["system"]] = r
        for sdk, systems in by_sdk.items():
            for mine in (name for name in systems if name.startswith("vtcore")):
                # "... from handler": each order sent from the handler that saw the previous one's update,
                # against vn.py's sent the same way (its gateway's handler, its raw callback), and pinned to
                # one CPU against vn.py's pinned so (bench_ashare.baseline_of)
                # the binding without the gateway ("vtcore-raw") is set beside vn.py's raw API only, with no
                # target: issue 14's target is the gateway's
                raw = mine.startswith("vtcore-raw")
                for baseline, target in (
                    (baseline_of(mine, "vnpy-raw", systems), None if raw else 1.0),
                    (baseline_of(mine, "vnpy-gateway", systems), None),
                ):
                    if raw and baseline.startswith("vnpy-gateway"):
                        continue
                    if baseline not in systems:  # a results file from before the handler-sent rows
                        continue
                    label = baseline.replace("vnpy-raw", "raw API callback")
                    label = label.replace("vnpy-gateway", "gateway")
                    for percentile in ("p50", "p99"):
                        ours, theirs = (
                            systems[mine][f"{percentile}_us"],
                            systems[baseline][f"{percentile}_us"],
                        )
                        ratio = theirs / ours
                        verdict_text = (
                            "" if target is None else f">= 1x: {'met' if ratio >= target else 'MISSED'}"
                        )
                        shown = mine.replace("vtcore-raw", "vtcore raw binding (no gateway)")
                        lines.append(
                            f"| {sdk} {percentile}: {shown} vs vn.py {label} | {number(ours, 'us')} "
                            f"| {number(theirs, 'us')} | {ratio_text(ratio)} | {verdict_text} |"
                        )
    return lines


# -- profile_order_path.py ---------------------------------------------------------------------------------


SdkFigure = Callable[[dict[str, Any]], float]


def sdk_table(
    intro: str, corner: str, sdks: list[dict[str, Any]], rows: list[tuple[str, SdkFigure]]
) -> list[str]:
    """A paragraph, then a table with a column per SDK and a row per (label, the figure of an SDK)."""
    lines = ["", intro, "", f"| {corner} | " + " | ".join(sdk["sdk"] for sdk in sdks) + " |"]
    lines.append("|---|" + "---:|" * len(sdks))
    for label, figure in rows:
        lines.append(f"| {label} | " + " | ".join(number(figure(sdk)) for sdk in sdks) + " |")
    return lines


def render_order_path(data: dict[str, Any]) -> list[str]:
    sdks = data["sdks"]
    lines = [
        provenance(data, data.get("command", "python benchmarks/profile_order_path.py")),
        "",
        f"Engine profile `{data['profile']}`; p50 (p90) in us per stage, over "
        + ", ".join(f"{s['sdk']} {s['orders']:,}" for s in sdks)
        + " orders; the engine parked (a thread wake-up) "
        + ", ".join(f"{s['parks']:,}" for s in sdks)
        + " times.",
        "",
        "| stage | " + " | ".join(s["sdk"] for s in sdks) + " |",
        "|---|" + "---:|" * len(sdks),
    ]
    for index, stage in enumerate(sdks[0]["stages"]):
        cells = []
        for sdk in sdks:
            figures = sdk["stages"][index]
            cells.append(f"{number(figures['p50_us'])} ({number(figures['p90_us'])})")
        lines.append(f"| {stage['stage'].strip()} | {' | '.join(cells)} |")
    counted = [sdk for sdk in sdks if sdk.get("calls")]
    if counted:
        calls = (
            ("sender_python", "sending thread: Python functions"),
            ("sender_c", "sending thread: C functions"),
            ("engine_python", "engine thread: Python functions"),
            ("engine_c", "engine thread: C functions"),
        )
        lines += sdk_table(
            "Calls per order, counted by a `sys.setprofile` hook on each thread while 300 orders go out one "
            "at a time (in a process of their own; the loop's own Event clear/wait, handler and Event.set "
            "are in, about 10): Python functions, and C functions (builtins, the bindings' methods) apart:",
            "calls per order",
            counted,
            [(label, lambda sdk, key=key: sdk["calls"][key]) for key, label in calls],
        )
    alone = [sdk for sdk in sdks if sdk.get("pieces")]
    if alone:
        lines += sdk_table(
            "The Python pieces of a Thost gateway's order path, each timed alone (main thread, engine "
            "stopped, garbage collector off; the thread's CPU time, best of 3 runs of 2,000 calls and of the "
            "rounds), us per call:",
            "piece",
            alone,
            [(piece, lambda sdk, piece=piece: sdk["pieces"][piece]) for piece in alone[0]["pieces"]],
        )
    return lines


# -- bench_tap_femas.py -----------------------------------------------------------------------------------


def render_tap_femas(data: dict[str, Any]) -> list[str]:
    rows = {(r["sdk"], r["what"], r["system"]): r for r in data["results"]}
    tap_ticks = [rows[("TAP", "ticks", system)]["ticks_per_s"] for system in ("vtcore", "vnpy-gateway")]
    lines = [
        provenance(data, data["command"]),
        "",
        f"TAP beside {data['baselines']['tap']} (unmodified) on the same simulator front-end "
        f"({data['ticks']:,}-tick burst; {data['orders']} resting orders per system, one at a time):",
        "",
        "| TAP | vtcore TapGateway | vn.py TapGateway | vtcore better by |",
        "|---|---:|---:|---:|",
        f"| ticks into a handler (ticks/s) | {number(tap_ticks[0])} | {number(tap_ticks[1])} "
        f"| {ratio_text(tap_ticks[0] / tap_ticks[1])} |",
    ]
    gateway, raw = rows[("TAP", "orders", "vnpy-gateway")], rows[("TAP", "orders", "vnpy-raw")]
    for profile in ("vtcore", "vtcore (latency)"):
        mine = rows[("TAP", "orders", profile)]
        for key in ("p50_us", "p99_us"):
            figures = f"{number(mine[key])} | {number(gateway[key])} | {ratio_text(gateway[key] / mine[key])}"
            lines.append(f"| order round trip {key[:3]}, {profile} (us) | {figures} |")
    raw_ratio = ratio_text(raw["p50_us"] / rows[("TAP", "orders", "vtcore")]["p50_us"])
    lines.append(
        f"| vn.py raw TdApi.insertOrder -> onRtnOrder p50 / p99 (us) | | {number(raw['p50_us'])} / "
        f"{number(raw['p99_us'])} | {raw_ratio} (p50) |"
    )
    femas_ticks, ctp_ticks = rows[("FEMAS", "ticks", "vtcore")], rows[("CTP", "ticks", "vtcore")]
    femas_orders, ctp_orders = rows[("FEMAS", "orders", "vtcore")], rows[("CTP", "orders", "vtcore")]
    vnpy_ticks, vnpy_raw = rows[("FEMAS", "ticks", "vnpy-gateway")], rows[("FEMAS", "orders", "vnpy-raw")]
    lines += [
        "",
        f"FEMAS beside vtcore's CTP in the same run, and beside {data['baselines']['femas']} "
        "(unmodified; its wrappers compiled here: its package build is Windows-only; its gateway passes no "
        "order report on, so its order row is the raw TdApi's):",
        "",
        "| vtcore, each on its simulator front-end | FemasGateway | CtpGateway | FEMAS better by "
        "| vnpy_femas | vtcore FEMAS better by |",
        "|---|---:|---:|---:|---:|---:|",
        f"| ticks into a handler (ticks/s; vnpy_femas: its gateway) | {number(femas_ticks['ticks_per_s'])} "
        f"| {number(ctp_ticks['ticks_per_s'])} "
        f"| {ratio_text(femas_ticks['ticks_per_s'] / ctp_ticks['ticks_per_s'])} "
        f"| {number(vnpy_ticks['ticks_per_s'])} "
        f"| {ratio_text(femas_ticks['ticks_per_s'] / vnpy_ticks['ticks_per_s'])} |",
    ]
    for key in ("p50_us", "p99_us"):
        lines.append(
            f"| order round trip {key[:3]} (us; vnpy_femas: raw TdApi) | {number(femas_orders[key])} "
            f"| {number(ctp_orders[key])} | {ratio_text(ctp_orders[key] / femas_orders[key])} "
            f"| {number(vnpy_raw[key])} | {ratio_text(vnpy_raw[key] / femas_orders[key])} |"
        )
    lines += [
        "",
        "'Better by' is a rate over the other side's rate for ticks and the other side's time over this "
        "one's for orders: above 1, the left-hand side (vtcore; FEMAS) is faster.",
    ]
    return lines


# -- bench_oes.py -----------------------------------------------------------------------------------------


def render_oes(data: dict[str, Any]) -> list[str]:
    lines = [
        provenance(data, data.get("command", "python benchmarks/bench_oes.py")),
        "",
        "Each counter on its own front-end of the same simulator core, in the same run: a burst of "
        f"{data['ticks']:,} ticks (OES: L2 snapshots) into a handler, and {data['orders']:,} orders one at "
        "a time from send_order to the first NOTTRADED in a handler. There is no vn.py column: no vn.py OES "
        "runs here (above); XTP and TORA beside vn.py are in the A-share section.",
        "",
        "| vtcore on | ticks/s into a handler | report -> OrderData /s | order round trip p50 | p99 |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in data["rows"]:
        lines.append(
            f"| {row['sdk']} | {number(row['ticks_per_s'])} | {number(row.get('reports_per_s'))} "
            f"| {number(row['p50_us'], 'us')} | {number(row['p99_us'], 'us')} |"
        )
    return lines


SECTIONS: dict[str, tuple[str, Callable[[dict[str, Any]], list[str]]]] = {
    "latency": ("latency.json", render_run),
    "event_engine": ("event_engine.json", render_event_engine),
    "run": ("run.json", render_run),
    "venue_parse": ("venue_parse.json", render_venue_parse),
    "ashare": ("ashare.json", render_ashare),
    "order_path": ("order_path.json", render_order_path),
    "tap_femas": ("tap_femas.json", render_tap_femas),
    "oes": ("oes.json", render_oes),
}


def render_readme(text: str, results: Path = RESULTS) -> str:
    """`text` with every generated section rendered afresh from `results` (a section whose results file is
    missing says how to make it)."""
    for name, (file, render) in SECTIONS.items():
        begin, end = BEGIN.format(name=name, file=file), END.format(name=name)
        pattern = re.compile(re.escape(begin) + r"\n.*?" + re.escape(end), re.DOTALL)
        if not pattern.search(text):
            continue
        path = results / file
        if path.is_file():
            body = render(json.loads(path.read_text(encoding="utf-8")))
        else:
            missing = path.relative_to(HERE.parent) if path.is_relative_to(HERE.parent) else path
            body = [f"(No results yet: `{missing}` is missing; see the command above.)"]
        replacement = "\n".join([begin, *body, end])
        text = pattern.sub(lambda _, replacement=replacement: replacement, text)
    return text


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when README.md is not what results give")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    current = README.read_text(encoding="utf-8")
    rendered = render_readme(current, args.results)
    if args.check:
        if rendered != current:
            print("benchmarks/README.md differs from its results: run `python benchmarks/report.py`")
            return 1
        return 0
    README.write_text(rendered, encoding="utf-8")
    print(f"rendered {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
