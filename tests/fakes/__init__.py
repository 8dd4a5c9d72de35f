"""Fakes at the edges the test machines cannot reach (a GPU serving the model), named as fakes."""
