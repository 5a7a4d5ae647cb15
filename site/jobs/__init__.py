"""Long work: job state (`store`), the runner (`runner`) and the time it may take (`deadline`).
Importing this package imports nothing."""
