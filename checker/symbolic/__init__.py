"""Symbolic engines on the solver: bounded model checking (`bmc`), k-induction (`induction`),
PDR/IC3 via Spacer (`pdr`) with invariants from a small instance (`small_instance`,
`generalize`), and the proof certificates they write (`certificate`)."""
