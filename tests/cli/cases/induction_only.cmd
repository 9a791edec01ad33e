models/pages.spec --size Page=1 --engine induction --no-vacuity
