"""Use cases: one function or command per use case. The only code that writes to the database."""
