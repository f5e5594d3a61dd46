"""The sync engine: desired events vs ours in a calendar -> a plan of changes -> applied.

``diff`` decides (pure), ``apply`` carries out with retries, ``state`` remembers what was
pushed, ``targets``/``secrets`` read where each parent's calendar is, ``runner`` ties it
together for a family.
"""
