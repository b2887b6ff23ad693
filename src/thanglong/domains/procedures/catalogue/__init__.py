"""The catalogue of administrative procedures: the shipped list and its versions, e-forms, search."""
