"""The benchmark's settings: the production settings, read from the environment as always, served through the
benchmark's URLconf (bench/urls.py: the project's pages plus a bare reference page and a route past the page cache).
Production never loads this module."""

from bergen_rus.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
