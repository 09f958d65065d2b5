"""Privacy requests (erase, restrict, export): journaled, rebuilt and republished at once."""
