"""The latest figures as Markdown: docs/benchmarks.md in full, and the README's short table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bench.common import BenchResult, Figure, fmt

BEGIN = "<!-- bench:begin (written by `make bench`) -->"
END = "<!-- bench:end -->"

MACHINE_ROWS = (
    ("cpu", "CPU"),
    ("cores", "Cores"),
    ("python", "Python"),
    ("qt", "Qt"),
    ("os", "OS"),
    ("sqlite", "SQLite"),
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def verdict(figure: Figure) -> str:
    """The figure against its target in one word."""
    return {True: "met", False: "**missed**", None: ""}[figure.met]


def value_text(figure: Figure) -> str:
    """Value and unit."""
    return f"{fmt(figure.value)} {figure.unit}".strip()


def machine_table(machine: Mapping[str, Any], taken: str, load: str = "") -> list[str]:
    """The machine the figures were taken on, as a two-column table."""
    lines = ["| Machine | |", "| --- | --- |"]
    lines += [f"| {label} | {_cell(str(machine.get(key, '?')))} |" for key, label in MACHINE_ROWS]
    lines.append(f"| Taken | {_cell(taken)} |")
    if load:
        lines.append(f"| Load average before each | {_cell(load)} |")
    return lines


def targeted(results: Sequence[BenchResult]) -> list[tuple[BenchResult, Figure]]:
    """Every figure that has a target, with its benchmark."""
    return [(r, f) for r in results for f in r.figures if f.target is not None]


def summary_table(results: Sequence[BenchResult]) -> list[str]:
    """One row per targeted figure: benchmark, figure, value, target, verdict, anchor."""
    lines = [
        "| Benchmark | Figure | Value | Target | | Anchor |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for result, f in targeted(results):
        lines.append(
            f"| `{result.bench}` | {_cell(f.name)} | {value_text(f)} | {_cell(f.target_text())} "
            f"| {verdict(f)} | {_cell(f.anchor)} |"
        )
    return lines


def detail(result: BenchResult) -> list[str]:
    """Every figure of one benchmark, then its notes."""
    command = result.params.get("command", f"python -m bench.{result.bench}")
    lines = [f"### {result.title} (`{command}`, {result.seconds:.0f} s)", ""]
    lines += ["| Figure | Value | Target | | Anchor |", "| --- | --- | --- | --- | --- |"]
    for f in result.figures:
        lines.append(
            f"| {_cell(f.name)} | {value_text(f)} | {_cell(f.target_text())} | {verdict(f)} "
            f"| {_cell(f.anchor)} |"
        )
    if result.notes:
        lines.append("")
        lines += [f"- {n}" for n in result.notes]
    return [*lines, ""]


def figures_markdown(
    machine: Mapping[str, Any],
    results: Sequence[BenchResult],
    *,
    taken: str,
    load: str = "",
    failures: Sequence[str] = (),
) -> str:
    """The generated part of docs/benchmarks.md: the machine, the targets, every figure."""
    lines = [
        BEGIN,
        "## Machine",
        "",
        *machine_table(machine, taken, load),
        "",
        "## Targets",
        "",
        *summary_table(results),
        "",
    ]
    if failures:
        lines += ["## Benchmarks that did not finish", ""]
        lines += [f"- {_cell(f)}" for f in failures] + [""]
    lines += ["## Every figure", ""]
    for result in results:
        lines += detail(result)
    return "\n".join([*lines, END])


DOC_HEAD = """# Benchmarks

Speed here is safety (how fast a release reaches the cuff, how soon an alarm shows) and comfort (a
registry that answers as you type). Every figure below comes from a benchmark anyone can run:
`make bench` runs them all, each in its own process, and writes `bench/results-<host>.json` and
the figures of this page (between the markers; the text after them is kept as written);
`python -m bench.<name>` runs one and prints its figures next to their targets and physical
anchors (`--tiny` for a quick smoke run).

"""


def benchmarks_doc(existing: str | None, figures: str) -> str:
    """docs/benchmarks.md with ``figures`` in place; a new page when there is none yet."""
    if existing and BEGIN in existing and END in existing:
        return replace_section(existing, figures)
    return DOC_HEAD + figures + "\n"


def readme_section(machine: Mapping[str, Any], results: Sequence[BenchResult], taken: str) -> str:
    """The README's table: targeted figures and the machine, between the markers."""
    cores = machine.get("cores", "?")
    lines = [
        BEGIN,
        f"Latest figures ({taken}; {machine.get('cpu', '?')}, {cores} cores, Python "
        f"{machine.get('python', '?')}, {machine.get('qt', '?')}, {machine.get('os', '?')}):",
        "",
        "| Figure | Value | Target | |",
        "| --- | --- | --- | --- |",
    ]
    for result, f in targeted(results):
        lines.append(
            f"| {_cell(f.name)} (`{result.bench}`) | {value_text(f)} | {_cell(f.target_text())} "
            f"| {verdict(f)} |"
        )
    lines += ["", END]
    return "\n".join(lines)


def replace_section(text: str, section: str) -> str:
    """``text`` with the part between the markers replaced by ``section`` (markers included).

    Without the markers the text is returned unchanged: only the README's Benchmarks section
    and the figures of docs/benchmarks.md hold them, so nothing else is ever touched.
    """
    begin, end = text.find(BEGIN), text.find(END)
    if begin < 0 or end < begin:
        return text
    return text[:begin] + section + text[end + len(END) :]
