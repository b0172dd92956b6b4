"""The after-sales service archive (clause 1): customers, equipment, contracts, cases,
the notices outbox and the ledger, in SQLite or PostgreSQL through SQLAlchemy 2."""
