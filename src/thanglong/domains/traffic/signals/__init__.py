"""Signal control: programmes, Webster plans, actuated and max-pressure controllers (pure engines)."""
