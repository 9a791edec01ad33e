models/pages.spec -o no/such/dir/report.txt
fake: pages
