"""xlbudget: Chinese government budget / final-account disclosure PDFs -> validated workbooks."""
__version__ = "0.1.0"
