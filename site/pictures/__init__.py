"""Cat pictures: uploads and registration, image checks, the store of records, the archive.
Importing this package imports nothing."""
