"""The generated exports benchmarks run on, made once and kept under benchmarks/.data/, and
their load into a scratch warehouse."""

import argparse
import time
from pathlib import Path

from cdp.sample import PROFILES, generate_sample_exports
from cdp.sources.pipeline import IngestReport, duckdb_destination, ingest_exports


def add_sample_arguments(parser: argparse.ArgumentParser, customers: int) -> None:
    parser.add_argument("--customers", type=int, default=customers)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="default",
                        help="identity hazards of the population (cdp sample --profile)")
    parser.add_argument("--data-dir", type=Path, default=Path("benchmarks/.data"),
                        help="where the generated exports are kept between runs")


def generated_sample(args: argparse.Namespace, nights: int = 2) -> Path:
    """The folder of a generated set for `--customers` and `--seed` (and `nights` of exports),
    generating it if needed."""
    profile = getattr(args, "profile", "default")
    suffix = ("" if profile == "default" else f"-{profile}") + \
        ("" if nights == 2 else f"-{nights}nights")
    sample = args.data_dir.resolve() / f"sample-{args.customers}-{args.seed}{suffix}"
    if not (sample / "ground_truth.csv").exists():
        started = time.perf_counter()
        generate_sample_exports(sample, args.customers, args.seed,
                                profile=PROFILES[profile], nights=nights)
        print(f"generated {args.customers:,} customers in {time.perf_counter() - started:.0f} s")
    return sample


def load_exports(exports: Path, warehouse: Path) -> IngestReport:
    """`exports` loaded by the nightly loader into `warehouse` (a new file, for one benchmark)."""
    destination, pipelines_dir = duckdb_destination(warehouse)
    return ingest_exports(str(exports), destination, pipelines_dir)
