"""Which archive a command reads, said on stderr when it may not be the one the person meant.

`REPAIRDESK_DATABASE_URL` defaults to `./.repairdesk/archive.db`, relative to the current folder:
run from another folder, `repairdesk ledger` would silently create and read an empty archive.
So a command that reads the archive names it (the URL, password hidden) when it was just created
or holds nothing; the answer on stdout is unchanged, so scripts are not disturbed.
"""

from __future__ import annotations

import sys

from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from activities.archive.db import archive, archive_exists, archive_is_empty

VARIABLE = "REPAIRDESK_DATABASE_URL"


def shown_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def opened_archive(url: str, say_if_empty: bool = True) -> sessionmaker[Session]:
    """The archive at `url`, created if need be; a note on stderr when it was just created or
    (with `say_if_empty`) holds nothing at all."""
    existed = archive_exists(url)
    sessions = archive(url)
    if not existed:
        note = f"the archive at {shown_url(url)} was just created and is empty ({VARIABLE})"
    elif say_if_empty and archive_is_empty(sessions):
        note = f"the archive at {shown_url(url)} is empty ({VARIABLE})"
    else:
        return sessions
    print(f"repairdesk: {note}", file=sys.stderr)
    return sessions
