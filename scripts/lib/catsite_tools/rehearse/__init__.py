"""The deploy rehearsed against a local AWS, checked after every step (`scripts/rehearse`)."""
