"""What could carry the unmarked original or run code, found and removed: embedded files and
file-attachment annotations, JavaScript (named, in actions), the action on opening, additional
actions, XFA forms (Acrobat would show the XFA form instead of the marked page).

One code for both object models: pikepdf's (the full copy) and pyHanko's (the signed update,
``signed.py``, given its ``writer``), whose dictionaries and arrays are used alike here. pyHanko
leaves references unresolved (``resolved`` resolves them), and its incremental update writes
again only the objects it is told changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pikepdf
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

# What the manifest's note says was removed (Spanish), and what it is looked for as.
ATTACHMENTS = "archivos adjuntos"
OPENING = "acción al abrir"
AUTOMATIC = "acciones automáticas"
XFA = "formulario XFA"
ACTIVE_LINKS = "acciones que ejecutan código, abren programas o envían datos"
CATALOG_ENTRIES = (  # (holder in the catalog, entry removed from it, what it is)
    ("/Names", "/EmbeddedFiles", ATTACHMENTS),
    ("/Names", "/JavaScript", "JavaScript"),
    ("/AcroForm", "/XFA", XFA),
)
ACTIONS_REMOVED = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToE"}
MAX_ACTIONS = 64  # a chain may loop
_DICTIONARIES = (pikepdf.Dictionary, generic.DictionaryObject)
_ARRAYS = (pikepdf.Array, generic.ArrayObject)


def remove_active_content(pdf: pikepdf.Pdf) -> list[str]:
    """Remove what could carry the unmarked original or run code from the whole document
    (pikepdf). Returns what was found, in Spanish."""
    found = clean_catalog(pdf.Root)
    for page in pdf.pages:
        if "/AA" in page.obj:
            del page.obj["/AA"]
            found.append(AUTOMATIC)
        annots = page.obj.get("/Annots")
        if isinstance(annots, pikepdf.Array):
            kept = clean_annotations(annots, found)
            if len(kept) != len(annots):
                page.obj.Annots = pikepdf.Array(kept)
    return sorted(set(found), key=found.index)


def clean_catalog(root: Any, writer: IncrementalPdfFileWriter | None = None) -> list[str]:
    """Remove the catalog's embedded files, named JavaScript, XFA form, additional actions and
    action on opening (a destination stays); returns what was found."""
    found: list[str] = []
    for holder, key, label in CATALOG_ENTRIES:
        raw = root.get(holder)
        entries = resolved(raw)
        if isinstance(entries, _DICTIONARIES) and key in entries:
            del entries[key]
            found.append(label)
            _changed(writer, raw)
    if runs_code(root.get("/OpenAction")):
        del root["/OpenAction"]
        found.append(OPENING)
    if "/AA" in root:
        del root["/AA"]
        found.append(AUTOMATIC)
    if found and writer is not None:
        writer.update_root()
    return found


def clean_annotations(
    annots: Iterable[Any], found: list[str], writer: IncrementalPdfFileWriter | None = None
) -> list[Any]:
    """The annotations to keep, as given, without file attachments, additional actions and
    actions that run code (a link stays); what was removed is added to ``found``."""
    kept = []
    for raw in annots:
        annot = resolved(raw)
        if not isinstance(annot, _DICTIONARIES):
            continue
        if resolved(annot.get("/Subtype")) == "/FileAttachment":
            found.append(ATTACHMENTS)
            continue
        for key, label in (("/AA", AUTOMATIC), ("/A", ACTIVE_LINKS)):
            if key in annot and (key == "/AA" or runs_code(annot.get(key))):
                del annot[key]
                found.append(label)
                _changed(writer, raw)
        kept.append(raw)
    return kept


def runs_code(action: Any) -> bool:
    """Whether an action, or one it chains to (/Next), runs code, starts a program or sends
    data out; a destination does not. A chain of more than MAX_ACTIONS objects (a loop) counts
    as running code: the action is removed rather than left unread."""
    stack = [action]
    for _ in range(MAX_ACTIONS):
        if not stack:
            return False
        item = resolved(stack.pop())
        if isinstance(item, _ARRAYS):
            stack.extend(item)
        elif isinstance(item, _DICTIONARIES):
            kind = resolved(item.get("/S"))  # a name, maybe indirect
            if isinstance(kind, str | pikepdf.Name) and str(kind) in ACTIONS_REMOVED:
                return True
            if "/Next" in item:
                stack.append(item.get("/Next"))
    return bool(stack)


def resolved(value: object) -> Any:
    """``value``, or the object a pyHanko reference points to."""
    return value.get_object() if isinstance(value, generic.IndirectObject) else value


def _changed(writer: IncrementalPdfFileWriter | None, raw: object) -> None:
    """An object of the signed original changed: the update writes it again."""
    if writer is not None and isinstance(raw, generic.IndirectObject):
        writer.mark_update(raw)
