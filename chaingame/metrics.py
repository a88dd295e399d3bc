"""Summary figures from a tidy history."""
