"""Views for stays, plans, work and the casemanager's overviews, one module
per concept (``stays``, ``plans``, ``work``, ``overviews``, ``printing``).

Every view fetches its object through ``get_visible_or_404`` (another site's
object is a 404), validates a form, calls one service and redirects, or
renders the form again with everything the user typed.
"""
