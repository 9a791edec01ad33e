models/pages.spec --timeout -1
fake: pages
