"""Every side effect of a repair case: the archive, notices and finance events."""
