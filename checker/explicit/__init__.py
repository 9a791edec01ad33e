"""Explicit-state engines on the interpreter: exhaustive breadth-first search (`engine`, `search`)
with its transition cache (`transitions`) and symmetry reduction (`symmetry`, `orbits`), and
seeded random walks (`simulate`); `witness` recovers the `choose` values a step took."""
