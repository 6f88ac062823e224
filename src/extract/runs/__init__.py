"""Batch runs: planning, shards, workers (process pool or dask), writers, manifest, locks, watchdog."""
