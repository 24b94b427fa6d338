"""Pages the gateway serves to browsers, and the static files they load.

Everything a page needs is served by the gateway itself: no page may load from a CDN, so the
IDE works on a machine without internet (tests/web/test_pages_offline.py holds every page to it).
"""
