"""Finance: the ledger of charges and their delivery to finance as signed CloudEvents."""
