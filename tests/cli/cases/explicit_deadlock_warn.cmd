models/deadlock.spec --engine explicit
