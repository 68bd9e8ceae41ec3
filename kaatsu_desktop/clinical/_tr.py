"""Translation context of every user-facing string of the clinical package."""

TR_CONTEXT = "clinical"
