"""The independent interpreter: the model's meaning, one concrete state at a time.

Every trace any engine reports is replayed here (`replay`), and the explicit engines run on it.
It shares no code with the solver side (checker/solver/), so the two are each other's check.
"""
