"""The only package that imports z3: the model as Z3 terms (`terms`, `encode`, `symexec`) and
solver sessions, Horn solving and deadlines (`smt`), terms back to text and IR (`decode`)."""
