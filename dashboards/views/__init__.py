"""Views of dashboards, one module per concept: ``figures`` (the programme
overview, a site's dashboard and the case list behind each number),
``partners`` (a site's partner dashboard and records) and ``exports`` (the
research exports: list, request, status, download, retry). ``urls.py`` names
the module of each view.
"""
