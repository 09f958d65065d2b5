"""Loading the nightly exports of the source systems into the warehouse with dlt."""
