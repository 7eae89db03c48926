"""The watermark saved as an incremental update: the original bytes, unchanged, followed by the
new and changed objects and a cross-reference section that points back to the original's.

This is how PDF editors add annotations and signatures: readers take the newest version of each
object, and the cost is the changed objects only, not a rewrite of the document. But the original
revision stays in the file: cut at its ``%%EOF``, the output is the unmarked original. So with
``keep_original`` (a signed PDF, whose signature covers those bytes) it stays byte for byte;
otherwise the old versions of the objects the update replaces are overwritten with spaces of the
same length (``revisions.py``), which leaves the old revision without pages, and a file where
that cannot be done safely (objects in object streams, several revisions) is refused.

The update is written here, not by qpdf: creating even one object in a pikepdf document makes
qpdf parse every object of the file first (about 4 kB of memory per object). Here qpdf only
reads the page tree; new objects get numbers from the trailer's /Size on.

:func:`stamp_update` returns the output as :class:`~robot.documents.parts.Parts`: the original
``bytes`` object itself, or views of it between the runs of spaces (not copied), followed by the
update, so that the caller can size, hash and write it without a second copy of the file in
memory. It returns None when the file does not qualify (encrypted, repaired by qpdf while
reading, an unusual page tree or cross-reference, or an old revision that cannot be blanked); the
caller then saves a full copy.
"""

from __future__ import annotations

import decimal
import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import pikepdf

from robot.documents.geometry import Matrix
from robot.documents.parts import Parts
from robot.documents.revisions import blanked, old_versions, single_revision

Ref = tuple[int, int]

_ARTIFACT = b"/Artifact <</Type /Pagination /Subtype /Watermark>> BDC\n"
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF")
_OBJ_HEADER = re.compile(rb"\s*\d+\s+\d+\s+obj\b")
_TAIL = 2048  # where to look for the last startxref
# Changed dictionaries are edited in place (no new objects in the pikepdf document) with these
# names where the new objects' references go, and written with qpdf's own unparse.
_PLACEHOLDER = b"/secop-robot.placeholder."
_FORM = pikepdf.Name("/secop-robot.placeholder.form")
_CONTENTS = pikepdf.Name("/secop-robot.placeholder.contents")
_FORM_TEXT = bytes(_FORM.unparse())
_CONTENTS_TEXT = bytes(_CONTENTS.unparse())
_MAX_DEPTH = 64  # page-tree depth; a malformed tree may loop


def stamp_update(
    data: bytes,
    pdf: pikepdf.Pdf,
    form: pikepdf.Object,
    placements: Sequence[tuple[pikepdf.Dictionary, Matrix]],
    *,
    version: str | None = None,
    keep_original: bool = False,
) -> Parts | None:
    """``data`` (not copied) plus an update that draws ``form`` (a form XObject of another,
    small document) on each page of ``pdf`` (opened from ``data``) with its matrix, and
    declares ``version`` in the catalog if the file is older; the old versions of the objects
    it replaces blanked unless ``keep_original``. None if ``data`` cannot take such an
    update."""
    prev = _last_xref(data)
    if prev is None or not can_update(data, pdf, keep_original=keep_original):
        return None
    size = int(pdf.trailer.get("/Size", 0))
    pages = [page for page, _ in placements]
    numbers = [page.objgen[0] for page in pages]
    if not all(0 < n < size for n in numbers) or len(set(numbers)) != len(numbers):
        return None  # qpdf renumbered or copied pages while reading the tree
    update = _Update(size)
    update.form = b"%d 0 R" % update.copy(form)
    push = update.new_stream(b"q\n")
    draws: dict[tuple[bytes, str], int] = {}
    try:
        for page, matrix in placements:
            name = update.place_form(page)
            numbers_text = " ".join(f"{v:.4f}" for v in matrix)
            draw = draws.get((name, numbers_text))
            if draw is None:
                draw = update.new_stream(draw_operators(name, numbers_text))
                draws[(name, numbers_text)] = draw
            contents = _contents(page.get("/Contents"), push, draw)
            page.Contents = _CONTENTS
            update.write(page, {_CONTENTS_TEXT: contents})  # final: written at once
        if version is not None:
            update.declare_version(pdf, version)
        if pdf.get_warnings():  # something qpdf read while we walked the tree was damaged
            return None
        update.write_shared()
        original: Sequence[bytes | memoryview] = (data,)
        if not keep_original:
            spans = old_versions(data, prev[0], update.replaced)
            if spans is None:
                return None
            original = blanked(data, spans)
        return update.finish(data, original, pdf, *prev)
    except _CannotUpdate:
        return None


def can_update(data: bytes, pdf: pikepdf.Pdf, *, keep_original: bool) -> bool:
    """Not encrypted, read without repairs, with a cross-reference to follow, and (unless
    kept) one revision to blank: what :func:`stamp_update` needs before it changes anything."""
    if pdf.is_encrypted or pdf.get_warnings() or not data.startswith(b"%PDF-"):
        return False
    last = _last_xref(data)
    if last is None:
        return False
    if keep_original:
        return True
    # Blanking needs a classic cross-reference table: with a cross-reference stream the
    # dictionaries sit in object streams, which cannot be blanked in place.
    return not last[1] and single_revision(data, pdf)


class _CannotUpdate(Exception):
    """The file used one of our placeholder names itself."""


def draw_operators(name: bytes, matrix: str) -> bytes:
    """The stream drawn after a page's own content: close its ``q``, then the stamp ``name``
    with ``matrix``, marked as a watermark artifact (screen readers skip it)."""
    return b"Q\n" + _ARTIFACT + b"q %s cm %s Do Q\nEMC\n" % (matrix.encode(), name)


@dataclass
class _Update:
    """The objects of one update, serialised as they are made."""

    next_number: int
    form: bytes = b""  # the stamp's reference, once copied
    objects: dict[int, bytes] = field(default_factory=dict)  # number -> "n g obj ... endobj"
    shared: dict[Ref, pikepdf.Object] = field(default_factory=dict)  # changed, written last
    names: dict[Ref, bytes] = field(default_factory=dict)  # XObject holder -> stamp's name
    chunks: list[bytes] = field(default_factory=list)  # the update's body, as written
    offsets: dict[int, tuple[int, int]] = field(default_factory=dict)  # in the body, generation
    replaced: list[Ref] = field(default_factory=list)  # objects of the original written again
    length: int = 0

    def new_stream(self, content: bytes) -> int:
        number = self._allocate()
        self.objects[number] = b"%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (
            number,
            len(content),
            content,
        )
        return number

    def copy(self, root: pikepdf.Object) -> int:
        """Copy ``root`` and every indirect object it reaches (from the stamp's document),
        renumbered into this update; returns ``root``'s new number."""
        mapping: dict[Ref, int] = {}
        for obj in _reachable(root):
            mapping[obj.objgen] = self._allocate()
        for obj in _reachable(root):
            number = mapping[obj.objgen]
            if isinstance(obj, pikepdf.Stream):
                raw = obj.read_raw_bytes()
                entries = {_key(k): _dump(v, mapping) for k, v in obj.stream_dict.items()}
                entries[b"/Length"] = b"%d" % len(raw)
                self.objects[number] = b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (
                    number,
                    _dict_bytes(entries),
                    raw,
                )
            else:
                content = _dump(obj, mapping, top=True)
                self.objects[number] = b"%d 0 obj\n%s\nendobj\n" % (number, content)
        return mapping[root.objgen]

    def place_form(self, page: pikepdf.Dictionary) -> bytes:
        """Add the stamp to the /XObject resources the page uses (in place, as a placeholder
        name), and mark the innermost indirect object holding them for a new version, once
        for all the pages that share it. Returns the stamp's name there."""
        holder, resources = page_resources(page)
        if resources is None:  # no resources at all: the page gets its own
            page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(SecopWM=_FORM))
            return b"/SecopWM"
        found = resources.get("/XObject")
        if isinstance(found, pikepdf.Dictionary) and found.is_indirect:
            target: pikepdf.Object = found
        else:
            target = resources if resources.is_indirect else holder
        name = self.names.get(target.objgen)
        if name is None or target.objgen == page.objgen:
            if not isinstance(found, pikepdf.Dictionary):
                resources.XObject = found = pikepdf.Dictionary()
            name = free_name(found)
            found[name.decode()] = _FORM
            self.names[target.objgen] = name
            if target.objgen != page.objgen:  # the page itself is written by the caller
                self.shared[target.objgen] = target
        return name

    def write(self, obj: pikepdf.Object, replace: Mapping[bytes, bytes]) -> None:
        """Write the new version of the indirect object ``obj`` (changed in place), with the
        placeholders replaced by ``replace`` and the stamp's reference."""
        text = bytes(obj.unparse(resolved=True)).replace(_FORM_TEXT, self.form)
        for placeholder, value in replace.items():
            text = text.replace(placeholder, value)
        if _PLACEHOLDER in text:
            raise _CannotUpdate
        number, generation = obj.objgen
        self.replaced.append(obj.objgen)
        self._emit(number, generation, b"%d %d obj\n%s\nendobj\n" % (number, generation, text))

    def _emit(self, number: int, generation: int, chunk: bytes) -> None:
        self.offsets[number] = (self.length, generation)
        self.chunks.append(chunk)
        self.length += len(chunk)

    def declare_version(self, pdf: pikepdf.Pdf, version: str) -> None:
        root = pdf.Root
        declared = str(root.get("/Version", "/" + str(pdf.pdf_version))).lstrip("/")
        if _as_tuple(declared) < _as_tuple(version) and _as_tuple(pdf.pdf_version) < _as_tuple(
            version
        ):
            root.Version = pikepdf.Name("/" + version)
            self.shared[root.objgen] = root

    def write_shared(self) -> None:
        """Write the changed objects that pages share (and the catalog), once each."""
        for obj in self.shared.values():
            self.write(obj, {})

    def finish(
        self,
        data: bytes,
        original: Sequence[bytes | memoryview],
        pdf: pikepdf.Pdf,
        prev: int,
        is_stream: bool,
    ) -> Parts:
        """``original`` (``data`` or its blanked pieces), then the update: the changed objects
        written so far, the new objects, the cross-reference."""
        for number, chunk in sorted(self.objects.items()):
            self._emit(number, 0, chunk)
        lead = b"" if data.endswith((b"\n", b"\r")) else b"\n"
        start = len(data) + len(lead)
        entries = {n: (start + offset, gen) for n, (offset, gen) in self.offsets.items()}
        digest = hashlib.md5(usedforsecurity=False)
        for chunk in self.chunks:
            digest.update(chunk)
        trailer = {
            b"/Size": b"%d" % max(self.next_number, max(entries, default=0) + 1),
            b"/Prev": b"%d" % prev,
            b"/ID": _file_id(pdf, digest.digest()),
        }
        for key in ("/Root", "/Info"):
            entry = pdf.trailer.get(key)
            if isinstance(entry, pikepdf.Object) and entry.is_indirect:
                trailer[key.encode()] = b"%d %d R" % entry.objgen
        xref_at = start + self.length
        if is_stream:
            xref = _xref_stream(trailer, entries, self._allocate(), xref_at)
        else:
            xref = _xref_table(trailer, entries)
        tail = b"startxref\n%d\n%%%%EOF\n" % xref_at
        return Parts((*original, *([lead] if lead else []), *self.chunks, xref, tail))

    def _allocate(self) -> int:
        self.next_number += 1
        return self.next_number - 1


def page_resources(page: pikepdf.Dictionary) -> tuple[pikepdf.Object, pikepdf.Dictionary | None]:
    """The /Resources a page uses (its own or inherited) and the page-tree node holding it."""
    node: pikepdf.Object | None = page
    for _ in range(_MAX_DEPTH):
        if not isinstance(node, pikepdf.Dictionary):
            break
        res = node.get("/Resources")
        if isinstance(res, pikepdf.Dictionary):
            return node, res
        node = node.get("/Parent")
    return page, None


def free_name(xobjects: pikepdf.Dictionary | None) -> bytes:
    name, n = "/SecopWM", 0
    while xobjects is not None and name in xobjects:
        n += 1
        name = f"/SecopWM{n}"
    return name.encode()


def _contents(original: pikepdf.Object | None, push: int, draw: int) -> bytes:
    """The page's new /Contents: ``push`` (``q``), its own streams, then ``draw``."""
    if isinstance(original, pikepdf.Array):
        inner = bytes(original.unparse(resolved=True)).strip()[1:-1].strip()
    elif original is not None:
        inner = _dump(original)
    else:
        inner = b""
    return b"[ %d 0 R %s %d 0 R ]" % (push, inner, draw)


def _reachable(root: pikepdf.Object) -> Iterator[pikepdf.Object]:
    """``root`` and the indirect objects it reaches, each once, in a stable order."""
    seen: set[Ref] = set()
    stack = [root]
    while stack:
        item = stack.pop()
        if not isinstance(item, pikepdf.Object):  # numbers come back as Python's
            continue
        if item.is_indirect:
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
            yield item
        if isinstance(item, pikepdf.Stream):
            stack.extend(reversed(list(item.stream_dict.values())))
        elif isinstance(item, pikepdf.Dictionary):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, pikepdf.Array):
            stack.extend(reversed(list(item)))


def _dump(value: object, mapping: Mapping[Ref, int] | None = None, *, top: bool = False) -> bytes:
    """PDF syntax for ``value``; indirect objects inside it as references (renumbered by
    ``mapping``); ``top``: ``value``'s own content even if it is an indirect object."""
    if not isinstance(value, pikepdf.Object):
        return _scalar(value)
    if value.is_indirect and not top:
        return b"%d %d R" % value.objgen if mapping is None else b"%d 0 R" % mapping[value.objgen]
    if mapping is not None and isinstance(value, pikepdf.Dictionary):
        return _dict_bytes({_key(k): _dump(v, mapping) for k, v in value.items()})
    if mapping is not None and isinstance(value, pikepdf.Array):
        return b"[ " + b" ".join(_dump(v, mapping) for v in value) + b" ]"
    return bytes(value.unparse(resolved=top))  # nested indirect objects come out as references


def _scalar(value: object) -> bytes:
    """PDF syntax for what pikepdf hands back as a Python value."""
    if value is None:
        return b"null"
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return b"%d" % value
    if isinstance(value, decimal.Decimal | float):
        text = f"{decimal.Decimal(value):f}"
        return (text.rstrip("0").rstrip(".") if "." in text else text).encode() or b"0"
    raise TypeError(f"unexpected PDF value {value!r}")


def _dict_bytes(entries: Mapping[bytes, bytes]) -> bytes:
    return b"<< " + b" ".join(k + b" " + v for k, v in entries.items()) + b" >>"


def _key(name: str) -> bytes:
    """A dictionary key in PDF syntax (``#xx`` escapes where needed)."""
    return bytes(pikepdf.Name(name).unparse())


def _last_xref(data: bytes) -> tuple[int, bool] | None:
    """Offset of the original's last cross-reference section, and whether it is a stream."""
    found = list(_STARTXREF.finditer(data, max(len(data) - _TAIL, 0)))
    if not found:
        return None
    offset = int(found[-1].group(1))
    if data[offset : offset + 4] == b"xref":
        return offset, False
    if _OBJ_HEADER.match(data, offset) and b"/XRef" in data[offset : offset + 1024]:
        return offset, True
    return None


def _file_id(pdf: pikepdf.Pdf, digest: bytes) -> bytes:
    """The first ID stays (same document); the second changes (new version)."""
    changed = bytes(pikepdf.String(digest).unparse())
    old = pdf.trailer.get("/ID")
    if isinstance(old, pikepdf.Array) and len(old) == 2:
        return b"[ " + _dump(old[0]) + b" " + changed + b" ]"
    return b"[ " + changed + b" " + changed + b" ]"


def _subsections(numbers: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return runs


def _xref_table(trailer: dict[bytes, bytes], entries: dict[int, tuple[int, int]]) -> bytes:
    # The head of the free list first, as PDF writers do (some readers expect a table that
    # starts at object 0).
    out = bytearray(b"xref\n0 1\n0000000000 65535 f\r\n")
    for run in _subsections(sorted(entries)):
        out += b"%d %d\n" % (run[0], len(run))
        for number in run:
            offset, generation = entries[number]
            out += b"%010d %05d n\r\n" % (offset, generation)
    return bytes(out + b"trailer\n" + _dict_bytes(trailer) + b"\n")


def _xref_stream(
    trailer: dict[bytes, bytes], entries: dict[int, tuple[int, int]], number: int, at: int
) -> bytes:
    """A cross-reference stream (for originals that use them), listing itself too."""
    entries = {**entries, number: (at, 0)}
    runs = _subsections(sorted(entries))
    rows = b"".join(
        b"\x01" + entries[n][0].to_bytes(4, "big") + entries[n][1].to_bytes(2, "big")
        for run in runs
        for n in run
    )
    index = b" ".join(b"%d %d" % (run[0], len(run)) for run in runs)
    head = {
        **trailer,
        b"/Size": b"%d" % (number + 1),
        b"/Type": b"/XRef",
        b"/W": b"[ 1 4 2 ]",
        b"/Index": b"[ " + index + b" ]",
        b"/Length": b"%d" % len(rows),
    }
    return b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (number, _dict_bytes(head), rows)


def _as_tuple(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (0,)
