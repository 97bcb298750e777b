"""``make bench``: run every benchmark, collect percentiles and ratios into bench/results.md.

Each benchmark runs as its own process (its own peak memory, no state shared), one after another
so they do not compete for the two cores. What each prints is kept whole in the results file
beside the table drawn from it; a benchmark that fails is reported as failed, not skipped.

    .venv/bin/python bench/run_all.py                  # province scale (make bench)
    .venv/bin/python bench/run_all.py --scale city     # reduced: minutes instead of an hour
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

RESULTS = ROOT / "bench" / "results.md"
NUMBER = r"(\d+(?:\.\d+)?)"


@dataclass
class Row:
    benchmark: str
    operation: str
    p50: float
    p95: float
    baseline: str
    ratio: float | None  # p95 over the baseline's p95


@dataclass
class Outcome:
    name: str
    command: list[str]
    seconds: float = 0.0
    returncode: int | None = None
    output: str = ""
    rows: list[Row] = field(default_factory=list)
    note: str = ""


def pages_rows(outcome: Outcome, data: dict) -> None:
    floor = data["rows"][0]
    for row in data["rows"][1:]:
        outcome.rows.append(
            Row("页面", row["page"], row["p50"], row["p95"], "/healthz", row["p95_ratio"])
        )
    outcome.note = f"下限 /healthz：p50 {floor['p50']:.1f} ms，p95 {floor['p95']:.1f} ms"


def graphql_rows(outcome: Outcome) -> None:
    """Lines ``<operation> GraphQL|手写端点 <req/s> <p50> <p95>`` (bench/graphql.py)."""
    measured: dict[tuple[str, str], tuple[float, float]] = {}
    pattern = re.compile(rf"^(.+?)\s+(GraphQL|手写端点)\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s*$")
    for line in outcome.output.splitlines():
        if match := pattern.match(line):
            measured[match.group(1).strip(), match.group(2)] = (float(match[4]), float(match[5]))
    for (operation, side), (p50, p95) in measured.items():
        if side != "GraphQL" or (operation, "手写端点") not in measured:
            continue
        floor = measured[operation, "手写端点"][1]
        outcome.rows.append(Row("GraphQL", operation, p50, p95, "手写端点", p95 / floor))


def search_rows(outcome: Outcome) -> None:
    """Lines ``<label>  <wall p50> <p95> <max> <cpu p50> <p95> <max>`` (bench/search.py)."""
    pattern = re.compile(rf"^((?:whoosh|FTS5) .+?)\s{{2,}}{NUMBER}\s+{NUMBER}\s+")
    measured = {}
    for line in outcome.output.splitlines():
        if match := pattern.match(line):
            measured[match.group(1).strip()] = (float(match[2]), float(match[3]))
    for ours, theirs in (
        ("whoosh cold (1st pass)", "FTS5 1st pass"),
        ("whoosh warm (3rd pass)", "FTS5 3rd pass"),
    ):
        if ours in measured and theirs in measured:
            p50, p95 = measured[ours]
            ratio = p95 / measured[theirs][1]
            outcome.rows.append(Row("搜索", f"200 条查询 {ours}", p50, p95, theirs, ratio))


def dashboard_rows(outcome: Outcome) -> None:
    """Lines ``<label> p50= <ms> p95= <ms> ms [× <ratio> of baseline]`` under ``— <scope>``
    headings (bench/dashboard.py); the ratio there is p50 over the baseline's p50."""
    scope = ""
    pattern = re.compile(
        rf"^\s*(.+?)\s+p50=\s*{NUMBER}\s+p95=\s*{NUMBER}\s*ms(?:\s*×\s*{NUMBER} of baseline)?"
    )
    for line in outcome.output.splitlines():
        if line.startswith("— "):
            scope = line[2:].strip()
        elif match := pattern.match(line):
            label, p50, p95 = match.group(1), float(match[2]), float(match[3])
            baseline = "" if label.startswith("baseline") else "首页 GET /（p50 之比）"
            ratio = float(match[4]) if match[4] else None
            operation = f"{scope} {label}".strip()
            outcome.rows.append(Row("工作台", operation, p50, p95, baseline, ratio))


def recommendation_rows(outcome: Outcome) -> None:
    """Lines ``<label> n=<k> wall p50= <ms> p95= <ms> ms [× <ratio> of baseline]``
    (bench/recommendations.py; the ratio is p95 over the baseline's p95)."""
    pattern = re.compile(
        rf"^(.+?)\s+n=\d+\s+wall p50=\s*{NUMBER}\s+p95=\s*{NUMBER} ms"
        rf"(?: × {NUMBER} of baseline)?"
    )
    for line in outcome.output.splitlines():
        if match := pattern.match(line):
            label, p50, p95 = match.group(1).strip(), float(match[2]), float(match[3])
            baseline = "" if label.startswith("baseline") else "全部村 id 读入"
            ratio = float(match[4]) if match[4] else None
            outcome.rows.append(Row("推荐", label, p50, p95, baseline, ratio))


def relevance_rows(outcome: Outcome) -> None:
    """The last line ``mean precision@N <p> over <n> queries; <k> failing must/must-not``
    (bench/relevance.py): a quality figure, not a latency, so it goes in the note."""
    for line in outcome.output.splitlines():
        if line.startswith("mean precision@N"):
            outcome.note = line


def run(outcome: Outcome, timeout: float) -> None:
    print(f"== {outcome.name}: {' '.join(outcome.command)}", flush=True)
    started = time.perf_counter()
    try:
        done = subprocess.run(
            outcome.command,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=os.environ | {"PYTHONUNBUFFERED": "1"},
        )
        outcome.returncode = done.returncode
        outcome.output = done.stdout + (f"\n[stderr]\n{done.stderr[-3000:]}" if done.stderr else "")
    except subprocess.TimeoutExpired as exc:
        outcome.output = f"timed out after {timeout:.0f} s\n{(exc.stdout or b'')[-3000:]!r}"
    outcome.seconds = time.perf_counter() - started
    print(outcome.output[-2000:], flush=True)


def benchmarks(scale: str, workdir: Path) -> list[tuple[Outcome, object]]:
    python = sys.executable
    city = scale == "city"
    pages_json = workdir / "pages.json"
    # The same files bench/pages.py seeds: GraphQL then finds data and skips its own seeding.
    name = "city" if city else "graphql-province"
    database = f"sqlite:///{ROOT / 'var' / 'bench' / name}.sqlite3"
    seconds = ["--seconds", "3" if city else "10"]
    plan = [
        (
            Outcome(
                "页面", [python, "bench/pages.py", "--scale", scale, "--json", str(pages_json)]
            ),
            lambda o: pages_rows(o, json.loads(pages_json.read_text(encoding="utf-8"))),
        ),
        (
            Outcome(
                "GraphQL",
                [python, "bench/graphql.py", "--database", database, "--workers", "2", *seconds],
            ),
            graphql_rows,
        ),
        (
            Outcome(
                "搜索", [python, "bench/search.py", "--products", "10000" if city else "100000"]
            ),
            search_rows,
        ),
    ]
    # Relevance of the search on the seeded 运城 data (a small seed of its own; quality, not speed).
    plan.append((Outcome("搜索相关性", [python, "bench/relevance.py"]), relevance_rows))
    # Seeds a temporary database of its own: it writes (a need before each "after a write" run).
    recommendations = [python, "bench/recommendations.py", "--scale", scale]
    plan.append((Outcome("推荐", recommendations), recommendation_rows))
    if (ROOT / "bench" / "dashboard.py").exists():
        dashboard = [python, "bench/dashboard.py", "--scale", scale]
        plan.append((Outcome("工作台", dashboard), dashboard_rows))
    return plan


def write_results(outcomes: list[Outcome], scale: str, total: float) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# 基准测试结果 Benchmark results",
        "",
        f"Written by `bench/run_all.py --scale {scale}` (`make bench`) on {stamp}: "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, SQLite, "
        f"load average {os.getloadavg()[0]:.1f} at the end, {total / 60:.0f} min in all. "
        "Latencies in ms; *ratio* is p95 over the baseline's p95 from the same run (the "
        "dashboard's own ratios are of p50).",
        "",
        "| benchmark | operation | p50 | p95 | baseline | ratio |",
        "|---|---|---:|---:|---|---:|",
    ]
    for outcome in outcomes:
        for row in outcome.rows:
            ratio = f"{row.ratio:.2f}" if row.ratio is not None else ""
            lines.append(
                f"| {row.benchmark} | {row.operation} | {row.p50:.1f} | {row.p95:.1f} "
                f"| {row.baseline} | {ratio} |"
            )
    lines += ["", "| benchmark | result | time |", "|---|---|---:|"]
    for outcome in outcomes:
        status = "ok" if outcome.returncode == 0 else f"**failed** (exit {outcome.returncode})"
        note = f"; {outcome.note}" if outcome.note else ""
        lines.append(f"| {outcome.name} | {status}{note} | {outcome.seconds:.0f} s |")
    for outcome in outcomes:
        lines += [
            "",
            f"## {outcome.name}: `{' '.join(Path(c).name for c in outcome.command)}`",
            "",
            "```text",
            outcome.output.strip(),
            "```",
        ]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["province", "city"], default="province")
    parser.add_argument("--timeout", type=float, default=3600, help="每项基准的最长秒数")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="cunqi-bench-") as workdir:
        for outcome, collect in benchmarks(args.scale, Path(workdir)):
            run(outcome, args.timeout)
            try:
                collect(outcome)
            except (OSError, ValueError, KeyError, IndexError) as exc:
                outcome.note = f"结果无法解析：{type(exc).__name__}"
            outcomes.append(outcome)
    write_results(outcomes, args.scale, time.perf_counter() - started)
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0 if all(o.returncode == 0 for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
