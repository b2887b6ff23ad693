"""Road segments and the detectors bound to their lanes (the operators' network of record)."""
