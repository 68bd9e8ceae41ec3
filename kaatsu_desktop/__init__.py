"""KAATSU Desktop: clinician workstation for blood-flow-restriction training."""

__version__ = "0.1.0"
