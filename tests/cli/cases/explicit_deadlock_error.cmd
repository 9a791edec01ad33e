models/deadlock.spec --engine explicit --deadlock error
