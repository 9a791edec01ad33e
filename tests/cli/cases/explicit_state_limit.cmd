models/pages.spec --engine explicit --max-states 3 --property private_counted
