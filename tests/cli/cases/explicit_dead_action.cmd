models/dead.spec --engine explicit
