models/pages.spec --engine simulate --walks 0
