models/dead.spec --engine pdr --strict
fake: dead
