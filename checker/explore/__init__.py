"""Many checks of one model: the design x hardware matrix and the minimal-fixes search (`matrix`,
`run`), and the pre-merge gate: the result cache (`cache`, `serialize`) and baselines (`baseline`)."""
