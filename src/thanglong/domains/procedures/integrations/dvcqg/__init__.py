"""The National Public Service Portal (DVCQG): one durable sync job per dossier status change."""
