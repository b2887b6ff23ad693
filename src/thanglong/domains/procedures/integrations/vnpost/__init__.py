"""VNPost public-administration delivery (BCCI): results sent by post, tracked by the carrier."""
