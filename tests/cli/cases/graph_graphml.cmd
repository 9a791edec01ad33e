graph models/deadlock.spec --format graphml
