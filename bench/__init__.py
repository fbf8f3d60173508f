"""The page benchmark (`make bench-pages`): see bench/pages.py."""
