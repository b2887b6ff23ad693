"""Operations: pure NGSI-LD engines (query language, geo-queries, Smart Data Models validation)."""
