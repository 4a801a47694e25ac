"""Readers and writers: the only place where jumeau touches files."""
