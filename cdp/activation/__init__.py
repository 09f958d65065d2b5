"""Activation: the declared audiences delivered to ads platforms, CRMs and messaging tools."""
