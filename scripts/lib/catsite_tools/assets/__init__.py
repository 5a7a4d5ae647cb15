"""The project's own pictures, drawn (`scripts/draw-kitty`)."""
