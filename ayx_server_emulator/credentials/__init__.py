"""The credentials family: `models` (state and behaviour) and `responses` (routes and shapes)."""
