"""Publishing: the versions BI tools read, role files, the serving database."""
