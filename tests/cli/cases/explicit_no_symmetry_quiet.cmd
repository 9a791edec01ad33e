models/pages.spec --engine explicit --no-symmetry --quiet
