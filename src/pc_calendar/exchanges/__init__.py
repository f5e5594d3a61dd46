"""The exchange log: what actually happened at each handover, kept tamper-evident.

``store`` (append-only SQLite), ``chain`` (records, hash chain, export), ``lookup``
(WHEN -> exchange), ``status`` (outcome rules, overdue), ``report`` and ``render``
(per-parent summary), ``service`` (the operations the CLI calls).
"""
