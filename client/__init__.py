"""What the `repairdesk` command, the HTTP server and the worker share: the connection to Temporal,
and one client library for cases and disputes (start, state, actions, lists, and what
Temporal's answers mean)."""
