"""`cdp sample`: generated exports with their ground truth."""

from datetime import date
from pathlib import Path

import click

DEFAULT_SAMPLE_DIR = Path("sample_data")


@click.command()
@click.option("--customers", default=2000, show_default=True, help="People in the population.")
@click.option("--seed", default=42, show_default=True, help="Same seed, same files.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=DEFAULT_SAMPLE_DIR,
              show_default=True,
              help="Folder to write exports/, next_night/, later_nights/, ground_truth.csv.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default="2026-11-22",
              show_default=True, help="Date of the first night's export.")
@click.option("--profile", type=click.Choice(["default", "messy"]), default="default",
              show_default=True,
              help="How often identity hazards occur: 'messy' has households of up to 6, "
                   "family and company mailboxes, names as typed, store and cashier phones "
                   "with and without names, recycled numbers and junk no blocklist knows.")
@click.option("--nights", type=click.IntRange(min=2), default=2, show_default=True,
              help="Nights to write: exports/ (night 1), next_night/ (night 2), and each "
                   "later night's delta under later_nights/<YYYY-MM-DD>/ (dated as-of + "
                   "night - 1 days). Nights 1 and 2 are the same whatever the number.")
def sample(customers: int, seed: int, out_dir: Path, as_of, profile: str, nights: int) -> None:
    """Generate realistic sample exports for the four source systems, with ground truth."""
    from cdp.sample import PROFILES, generate_sample_exports

    summary = generate_sample_exports(out_dir, customers, seed, date.fromordinal(
        as_of.toordinal()), PROFILES[profile], nights=nights)
    click.echo(f"{summary.people} people written under {out_dir}/")
    for name, count in summary.files.items():
        click.echo(f"  {count:>10,}  {name}")
