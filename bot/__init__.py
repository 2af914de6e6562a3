"""planbot: helps an industry draft its upgrading plan, grounded in the guidance (section 3.3.2)."""

__version__ = "0.1.0"
