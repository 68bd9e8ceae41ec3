"""Export and import dialogs: session reports (PDF and paper), CSV, JSON, FHIR, patients CSV."""
