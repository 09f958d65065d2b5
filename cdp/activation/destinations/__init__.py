"""Destinations: each module delivers audience changes to one kind of tool."""
