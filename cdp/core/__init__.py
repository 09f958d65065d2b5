"""Shared plumbing every layer may use: the warehouse lock, captured output, machine failures."""
