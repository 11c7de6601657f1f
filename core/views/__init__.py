"""Core's views, one module per concept: ``home`` (home page, header
search), ``people``, ``sites``, ``accounts`` (the user's own account and the
login's second step), ``users`` (functional administrators manage their
sites' accounts), ``privacy`` (audit and read logs, data-subject access,
retention listing) and ``health`` (the load balancer's ``/health/``).
``urls.py`` names the module of each view.
"""
