"""`cdp config`: the effective settings and where each came from; the reference page."""

import click


@click.group()
def config() -> None:
    """The settings tree: what is in effect, and the reference of every setting."""


@config.command("show")
def show() -> None:
    """Every setting in effect, where it came from, its environment variable; secrets
    masked."""
    from cdp.cli.options import settings_for
    from cdp.settings import effective_rows

    for section, rows in effective_rows(settings_for()).items():
        click.echo(f"[{section}]")
        width = max(len(name) for name, *_ in rows)
        for name, shown, origin, env in rows:
            where = origin + (f"; {env}" if env and env != origin else "")
            click.echo(f"  {name:<{width}} = {shown}    # {where}")


@config.command("reference")
@click.option("--out", type=click.Path(), default=None,
              help="Write the Markdown to this file instead of printing it.")
def reference(out: str | None) -> None:
    """Every setting as Markdown (docs/configuration.md is this page)."""
    from pathlib import Path

    from cdp.settings import reference_markdown

    text = reference_markdown()
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"Written: {out}")
    else:
        click.echo(text, nl=False)
