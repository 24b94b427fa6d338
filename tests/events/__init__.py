"""The shared vocabulary: taxonomy and milestone table."""
