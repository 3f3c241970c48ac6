"""Reports over a run: the explain timeline, plots, diagrams (and sweep plots)."""
