"""The API's routers, one per area; ``onca.registry.app`` includes them. Each route reads and
writes through the record functions (``_seizures``, ``_cases``, ``_alerts``...), which hold the
sharing rules and the audit chain, and declares the model of what it answers
(``onca.registry._responses``)."""
