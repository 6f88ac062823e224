"""Tools for rule authors: rule examples, explain, coverage, evaluate, generated docs."""
