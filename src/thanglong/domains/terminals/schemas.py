"""Input and output shapes of the terminals domain: none yet (the CAP report is cap.problems.Report)."""
