models/dead.spec --engine pdr
fake: dead
