"""Gap analysis: who can reach which assets, where the gaps hurt most, where to add one.

Plain functions over arrays (coverage, accessibility, priority, siting) and the one place
that reads their inputs from the database (inputs). No HTTP here.
"""
