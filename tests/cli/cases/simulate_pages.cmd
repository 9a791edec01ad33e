models/pages.spec --engine simulate --walks 50 --seed 2 --no-vacuity
