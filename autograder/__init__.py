"""CNN homework autograder: sandboxed, property-based grading.

Data flows one way: spec (the assignment folder) -> build (student release, Gradescope
zip) -> grade (suite runner + sandboxed worker) -> results (results.json) -> CSV, report.

This package is imported by the sandboxed worker too, so importing it stays cheap:
nothing heavy happens at import time here.
"""

__version__ = "0.1.0"
