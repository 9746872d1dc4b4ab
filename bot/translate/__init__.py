"""Offline translation: Argos packages run directly on CTranslate2."""
