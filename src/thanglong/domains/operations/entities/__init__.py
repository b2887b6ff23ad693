"""Operations: entities."""
