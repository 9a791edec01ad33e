models/dead.spec
