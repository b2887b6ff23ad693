"""Documents of the one-stop office: forms 01-05, the control slip and signed results as PDF."""
