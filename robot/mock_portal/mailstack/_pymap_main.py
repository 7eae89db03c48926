"""The pymap subprocess: pymap's own ``main()`` with two adjustments. Run as a script.

1. The demo password comes from the environment (``SECOP_MAILSTACK_PASSWORD``), not argv,
   where ``ps`` would show it; ``--demo-password=<pw>`` so a leading "-" is not read as a flag.
2. Each response is sent in one write. pymap writes a response in pieces (``* 2 FETCH (`` then
   ``FLAGS (\\Recent))``) and asyncio sends each at once; a client reading IDLE updates
   without blocking (imap_tools ``idle.poll``) can then get half a line and abort with
   "unterminated line".
"""

from __future__ import annotations

import os
import sys
from typing import Any

from pymap import imap
from pymap.main import main


class _Buffer(list[bytes]):
    def write(self, data: bytes) -> None:
        self.append(bytes(data))


async def _write_whole_response(self: Any, resp: Any) -> None:
    buffer = _Buffer()
    try:
        await resp.async_write(buffer)
        self.writer.write(b"".join(buffer))
        await self.writer.drain()
    except ConnectionError:
        pass


if __name__ == "__main__":
    sys.argv.append("--demo-password=" + os.environ.pop("SECOP_MAILSTACK_PASSWORD"))
    imap.IMAPConnection.write_response = _write_whole_response  # type: ignore[method-assign]
    main()
