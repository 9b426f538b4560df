"""Spiders: they decide which URLs to follow, nothing else."""
