models/pages.spec --engine magic
fake: pages
