"""kback's version (the engine writes it into saved models and JSON)."""
__version__ = '0.1.0'
