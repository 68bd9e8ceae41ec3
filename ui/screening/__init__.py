"""Screening form with its live verdict panel, body diagram and the clearance dialog."""
