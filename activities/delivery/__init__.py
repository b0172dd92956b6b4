"""Delivery off the case's path: a relay in the worker process drains the outbox (SMTP) and the
ledger (signed CloudEvents to finance), retrying each row with backoff until it is delivered or
refused for good. The case only writes rows (record_case_event); it never waits for delivery."""
