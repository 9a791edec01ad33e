models/pages.spec --size Page=1
