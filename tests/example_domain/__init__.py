"""A worked example of a domain that lives outside the source tree and plugs into every extension point."""
