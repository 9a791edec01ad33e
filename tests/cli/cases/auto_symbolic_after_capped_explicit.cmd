models/pages.spec --size Page=1 --max-states 2
