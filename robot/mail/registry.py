"""One watcher per mailbox, enforced: a registry keyed by host, port, user and folder.

    watcher = watcher_for(config)            # started on first use, shared afterwards
    watcher = await asyncio.to_thread(watcher_for, config)   # from asyncio
    stop_watchers()                          # at the end of a batch

Two flows asking for the same mailbox get the same ``MailWatcher``, hence one IMAP connection.
"""

from __future__ import annotations

import threading

from robot.errors import ConfigError, Problem
from robot.mail.config import MailboxConfig
from robot.mail.watcher import MailboxFactory, MailWatcher


class WatcherRegistry:
    """The running watchers of a process, one per mailbox. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watchers: dict[tuple[str, int, str, str], MailWatcher] = {}

    def get(
        self, config: MailboxConfig, *, mailbox_factory: MailboxFactory | None = None
    ) -> MailWatcher:
        """The running watcher of ``config``'s mailbox; started (and kept) when there is none.

        ConfigError when that mailbox already has a watcher with other settings (two profiles
        naming one mailbox with different allowed hosts, say): one of them is wrong.
        """
        with self._lock:
            watcher = self._watchers.get(config.key)
            if watcher is not None and watcher.running:
                if watcher.config != config:
                    raise ConfigError(
                        [
                            Problem(
                                config.source,
                                None,
                                "mailbox",
                                f"el buzón {config.where} ya se vigila con otra configuración "
                                f"(de {watcher.config.source})",
                            )
                        ],
                        hint="Use la misma configuración de buzón en todos los perfiles que "
                        "lo comparten.",
                    )
                return watcher
            watcher = MailWatcher(config, mailbox_factory=mailbox_factory)
            watcher.start()  # under the lock: a second caller must not start another one
            self._watchers[config.key] = watcher
            return watcher

    def stop_all(self) -> None:
        with self._lock:
            watchers, self._watchers = list(self._watchers.values()), {}
        for watcher in watchers:
            watcher.stop()

    def __len__(self) -> int:
        with self._lock:
            return sum(1 for w in self._watchers.values() if w.running)


_REGISTRY = WatcherRegistry()


def watcher_for(
    config: MailboxConfig, *, mailbox_factory: MailboxFactory | None = None
) -> MailWatcher:
    """The process's one watcher for ``config``'s mailbox (see ``WatcherRegistry.get``)."""
    return _REGISTRY.get(config, mailbox_factory=mailbox_factory)


def stop_watchers() -> None:
    """Stop every watcher ``watcher_for`` started."""
    _REGISTRY.stop_all()


__all__ = ["WatcherRegistry", "stop_watchers", "watcher_for"]
