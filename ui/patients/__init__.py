"""Patient registry, patient dialog and patient page."""
