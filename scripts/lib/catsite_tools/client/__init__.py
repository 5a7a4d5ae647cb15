"""A running catsite seen only over HTTP, as its users see it: the upload client, the smoke check."""
