"""An erased person's orders stay as sales by nobody: renamed `erased-<hash>` with every column
about the buyer emptied (cdp/privacy/erasure.py), counted in revenue, in no customer. Named here,
apart from the erasure itself, for the models' and checks' side that only needs to know them."""

ERASED_ORDER_PREFIX = "erased-"
