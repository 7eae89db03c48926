"""One typed context per template: ``IndexContext`` for ``index.html``, ``SupplierContext`` for
a supplier's page. Every field carries a one-line help in its metadata (a test checks it).

Every text in a context is already clean: registered secrets masked and control characters
(bidirectional overrides included) written as escapes; the templates escape HTML on top.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Image:
    href: str = field(metadata={"help": "path of the image relative to the page"})
    alt: str = field(metadata={"help": "text alternative for screen readers"})
    caption: str = field(metadata={"help": "caption shown under the image"})


@dataclass(frozen=True)
class Count:
    status: str = field(metadata={"help": "outcome code (onboarded, parked, ...)"})
    label: str = field(metadata={"help": "the outcome in the report's language"})
    number: int = field(metadata={"help": "how many suppliers have it"})


@dataclass(frozen=True)
class RunRow:
    number: int = field(metadata={"help": "the run's number in the ledger"})
    command: str = field(metadata={"help": "the command line (secrets masked)"})
    started: str = field(metadata={"help": "start, Bogotá time"})
    ended: str = field(metadata={"help": "end, Bogotá time, or a dash when it did not end"})
    outcome: str = field(metadata={"help": "how the run ended, as the ledger says"})


@dataclass(frozen=True)
class SupplierRow:
    key: str = field(metadata={"help": "the supplier's key (NIT without check digit)"})
    href: str = field(metadata={"help": "link to the supplier's page, relative to index.html"})
    legal_name: str = field(metadata={"help": "razón social"})
    nit: str = field(metadata={"help": "NIT with check digit"})
    profile: str = field(metadata={"help": "the profile file as named in the batch"})
    status: str = field(metadata={"help": "outcome code, used by the filter"})
    status_label: str = field(metadata={"help": "the outcome in the report's language"})
    duration_seconds: float = field(
        metadata={"help": "seconds from start to end (-1 when unknown), sort key"}
    )
    duration_text: str = field(metadata={"help": "the duration for people"})
    identifiers: list[str] = field(
        metadata={"help": "portal identifiers worth seeing (decision, Directorio page)"}
    )
    reason: str = field(metadata={"help": "why it failed, was parked or stopped; empty otherwise"})
    bar_left: float = field(
        metadata={"help": "timeline: start as a percentage of the batch's span"}
    )
    bar_width: float = field(
        metadata={"help": "timeline: duration as a percentage of the batch's span"}
    )
    span_text: str = field(metadata={"help": "timeline: start and end for people"})


@dataclass(frozen=True)
class IndexContext:
    lang: str = field(metadata={"help": "language of the page (es or en)"})
    t: dict[str, str] = field(metadata={"help": "the page's words in that language"})
    title: str = field(metadata={"help": "the page title"})
    generated: str = field(metadata={"help": "when the report was written, Bogotá time"})
    runs: list[RunRow] = field(metadata={"help": "every run of the ledger, oldest first"})
    counts: list[Count] = field(metadata={"help": "suppliers by outcome"})
    total: int = field(metadata={"help": "number of suppliers"})
    suppliers: list[SupplierRow] = field(metadata={"help": "one row per supplier, in batch order"})
    statuses: list[Count] = field(metadata={"help": "the outcomes offered by the status filter"})


@dataclass(frozen=True)
class UserRow:
    role: str = field(
        metadata={"help": "administrator or additional user, in the report's language"}
    )
    username: str = field(metadata={"help": "the portal user name"})
    password: str = field(metadata={"help": "always the mask: a password is never shown"})


@dataclass(frozen=True)
class StepRow:
    name: str = field(metadata={"help": "the step (documents, admin.register, account.form, ...)"})
    status: str = field(metadata={"help": "step status code (done, started, failed, parked)"})
    status_label: str = field(metadata={"help": "the status in the report's language"})
    started: str = field(metadata={"help": "start, Bogotá time"})
    duration_text: str = field(metadata={"help": "the duration for people"})
    attempts: int = field(metadata={"help": "how many times it was tried"})
    message: str = field(
        metadata={"help": "the portal's or the robot's message (failures and parks)"}
    )


@dataclass(frozen=True)
class FieldRow:
    label: str = field(metadata={"help": "the portal's label of the field"})
    sent: str = field(metadata={"help": "the value the robot typed or chose"})
    shown: str = field(
        metadata={"help": "the value the portal shows after saving (empty when not read back)"}
    )
    same: bool = field(metadata={"help": "sent and shown are identical"})


@dataclass(frozen=True)
class DocumentRow:
    slot: str = field(metadata={"help": "the portal's document slot"})
    name: str = field(metadata={"help": "the file uploaded"})
    size_text: str = field(metadata={"help": "its size for people"})
    sha256: str = field(metadata={"help": "SHA-256 of the uploaded file"})
    marking: str = field(metadata={"help": "watermark, constancia or none, as the manifest says"})
    method: str = field(metadata={"help": "how the file was written (copy, update, ...)"})
    preview: Image | None = field(
        metadata={"help": "thumbnail of the marked first page, when there is one"}
    )
    match: str = field(
        metadata={"help": "hash check against the portal: match, mismatch or unknown"}
    )
    match_text: str = field(metadata={"help": "that check in the report's language"})


@dataclass(frozen=True)
class MailRow:
    user: str = field(metadata={"help": "the portal user the mail was for"})
    step: str = field(metadata={"help": "the activation step"})
    arrived: str = field(metadata={"help": "when the portal sent it, Bogotá time (never the link)"})


@dataclass(frozen=True)
class ProblemBox:
    step: str = field(metadata={"help": "the step that stopped the supplier"})
    status_label: str = field(metadata={"help": "failed or parked, in the report's language"})
    message: str = field(metadata={"help": "the portal's message or the robot's reason"})
    screenshot: Image | None = field(
        metadata={"help": "the page when it stopped, password fields masked"}
    )
    trace_href: str = field(
        metadata={"help": "link to the Playwright trace zip, empty when none was kept"}
    )
    trace_command: str = field(metadata={"help": "the command that opens the trace"})
    url: str = field(metadata={"help": "the page's address when it stopped, empty when unknown"})


@dataclass(frozen=True)
class SupplierContext:
    lang: str = field(metadata={"help": "language of the page (es or en)"})
    t: dict[str, str] = field(metadata={"help": "the page's words in that language"})
    title: str = field(metadata={"help": "the page title"})
    generated: str = field(metadata={"help": "when the page was written, Bogotá time"})
    back_href: str = field(metadata={"help": "link back to index.html"})
    legal_name: str = field(metadata={"help": "razón social"})
    nit: str = field(metadata={"help": "NIT with check digit"})
    profile: str = field(metadata={"help": "the profile file"})
    status: str = field(metadata={"help": "outcome code"})
    status_label: str = field(metadata={"help": "the outcome in the report's language"})
    reason: str = field(metadata={"help": "why it failed, was parked or stopped; empty otherwise"})
    started: str = field(metadata={"help": "start, Bogotá time"})
    ended: str = field(metadata={"help": "end, Bogotá time"})
    duration_text: str = field(metadata={"help": "duration for people"})
    users: list[UserRow] = field(
        metadata={"help": "the portal users of the profile, passwords masked"}
    )
    steps: list[StepRow] = field(metadata={"help": "every step recorded, in order"})
    fields: list[FieldRow] = field(
        metadata={"help": "fields sent next to what the portal showed back"}
    )
    unspsc: list[str] = field(metadata={"help": "UNSPSC codes sent, the main one first"})
    published: list[FieldRow] = field(
        metadata={"help": "what the Directorio publishes (shown only; sent empty)"}
    )
    directory_url: str = field(
        metadata={"help": "the Directorio page's address, empty when unknown"}
    )
    directory_is_link: bool = field(
        metadata={"help": "the address is absolute (http/https) and can be a link"}
    )
    documents: list[DocumentRow] = field(
        metadata={"help": "the manifest's documents with the portal's hash check"}
    )
    mails: list[MailRow] = field(metadata={"help": "activation mails and their arrival times"})
    shots: list[Image] = field(metadata={"help": "a screenshot after each finished step"})
    problems: list[ProblemBox] = field(
        metadata={"help": "failures and parks: message, screenshot and trace"}
    )


CONTEXTS: tuple[type, ...] = (IndexContext, SupplierContext)
