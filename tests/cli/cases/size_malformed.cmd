models/pages.spec --size Page
fake: pages
