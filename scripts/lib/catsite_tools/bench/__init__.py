"""Figures: catsite against the tutorial's app, uploads, the archive, SnapStart, Lighthouse."""
