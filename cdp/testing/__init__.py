"""Local stand-ins shared by tests and benchmarks: vendor servers, export builders, PostgreSQL."""
