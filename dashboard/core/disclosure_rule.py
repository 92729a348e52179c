"""The disclosure rule in words, for the Help and every download.

Kept apart from dashboard/stats/disclosure.py (which applies the rule, with SciPy's sparse
matrices and linear programming) so that the running app imports only the text.
"""

RULE_TEXT = (
    "No figure is shown that rests on 1 to 4 people (a count, or the gap between a total and the part that met a standard), "
    "and wherever the figures shown, combined in any way, would pin a withheld one down, the fewest other people's figures "
    "are withheld too, so that it could be anything across at least 5 people. Each withheld figure says which of these reasons applies."
)
