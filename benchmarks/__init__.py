"""`make bench`: scripts that measure the application; never part of the test suite.

``run.py`` is the entry point; each other module is one topic of the run.
"""
