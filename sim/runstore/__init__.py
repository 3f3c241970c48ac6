"""The run store: a run folder's tables as Parquet or as JSON lines and CSV, read as pandas
DataFrames (:func:`open_run`), written by the pipeline as the run goes (sim.runstore.writer)
and converted either way (``sim export``). docs/formats.md describes the files."""

from sim.runstore.run import Run, RunStoreError, open_run, replay, run

__all__ = ["Run", "RunStoreError", "open_run", "replay", "run"]
