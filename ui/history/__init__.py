"""Plots of a patient's history: sessions over time and the screening verdict timeline."""
