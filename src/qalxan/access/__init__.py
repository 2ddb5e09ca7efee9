"""Access control, markings, the tamper-evident audit trail and oversight.

Every capability asks this package who the caller is (:mod:`principal`), whether they may do
something to a record (:mod:`policy`), and writes what happened to the audit trail
(:mod:`audit`). Nothing here imports the web layer: the same rules hold for the API, the UI and
the command line.
"""
