models/dead.spec --engine explicit --strict --format json
