models/pages.spec --engine explicit --stats --size Page=3 -q
