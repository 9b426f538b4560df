"""skinaudit: audit skincare and hair-loss blog posts for spam links and unsupported medical claims."""

__version__ = "0.1.0"
