"""The partner directory in Open Referral HSDS 3.0 JSON, both ways.

- `schemas`: the vendored official schemas with our Japanese profile merged in.
- `export.export_directory()`: every organisation, fully nested, as an HSDS "Page".
- `importer.import_directory()`: HSDS 3.0 from us or another system, all or nothing.
"""
