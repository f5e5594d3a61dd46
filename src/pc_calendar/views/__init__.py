"""Views of a Timeline for people: terminal month grids, explanations, printable HTML.

Pure functions of a Timeline plus a small ViewContext of names; the CLI does the I/O.
"""
