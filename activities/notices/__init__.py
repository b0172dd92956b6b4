"""Notices: the letters a repair case sends, kept in the archive's outbox and mailed over SMTP.

The wording lives in `templates/<language>/`, one file per kind of notice plus `phrases.txt`
for the pieces the letters share, so a translator edits text files and never Python.
"""
