"""The HTTP gateway: submit articles, ask what became of them, fetch their events (``eventwire api``).

``app.create_app`` builds the FastAPI application; ``openapi`` builds its OpenAPI document from the
JSON Schemas in ``schemas/``.
"""
