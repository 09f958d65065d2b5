"""The `cdp` command."""
