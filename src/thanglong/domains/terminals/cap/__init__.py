"""CAP 1.2 messages: safe parsing, the official schema, the specification's text rules, the Hanoi profile."""
