"""Documents for the supplier registration: checks, watermarks, constancia, manifest, previews.

Pure functions on bytes and paths; nothing here touches the portal. Import from the modules
(docs/documents.md lists their functions): this package imports none of them, so that light
ones, such as ``filetype`` for the profile loader, do not pull in pikepdf, reportlab and Pillow.
"""
