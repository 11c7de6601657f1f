"""Views of intake, one module per concept: ``cases`` (a case's pages and
the forms that record its stages, pre-scan, criteria, documents, placement
and end), ``overviews`` (worklist, funnel, intake process) and ``imports``
(the DJI list import). ``urls.py`` names the module of each view.
"""
