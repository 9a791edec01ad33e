models/dead.spec --engine pdr --quiet --property unlock:fires
