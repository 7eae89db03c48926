"""Documents for the supplier registration: checks, watermarks, constancia, manifest, previews.

Pure functions on bytes and paths; nothing here touches the portal. Import from the modules
(this package imports none of them, so that light ones, such as ``filetype`` for the profile
loader, do not pull in pikepdf, reportlab and Pillow): ``prepare`` (prepare_documents),
``checks`` (preflight), ``watermark`` (watermark_pdf), ``images``, ``constancia``, ``preview``,
``manifest`` (Manifest, compare_manifest), ``model`` (DocumentSpec, SupplierFacts, watermark_text),
``filetype`` (sniff), ``from_profile``.
"""
