"""The PDF reading backends by name (``settings.PdfSettings.backend``): constants only, so the
command line can name them in its help without importing the settings (dataclasses, typing)."""

BACKENDS = ("pdfplumber", "pdfium")
# pdfium parses the content streams in C (3x faster than pdfminer) and builds pdfminer's
# objects: every corpus PDF reads the same with both (tests/test_backends.py)
DEFAULT_BACKEND = "pdfium"
