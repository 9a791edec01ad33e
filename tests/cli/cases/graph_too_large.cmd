graph models/pages.spec --max-states 5
