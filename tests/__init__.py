"""The test suite (see README.md). A package, so that ``tests.factories`` and the fakes can be imported
by the tests, by bench/ and by the processes the tests start."""
