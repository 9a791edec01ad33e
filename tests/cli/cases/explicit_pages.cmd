models/pages.spec --engine explicit
