"""The lskg web API: SPARQL endpoint, linked data, dumps, named queries and web pages.

``api`` imports ``kg``; ``kg`` never imports ``api``. Build the app with
:func:`api.app.create_app`.
"""
