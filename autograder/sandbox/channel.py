"""The grader's end of one worker: the private request/reply pipes and the output pipe.

One ``poll`` loop moves everything until a deadline: it writes the request, reads reply
bytes into frames, drains the student's output (so a chatty worker never blocks on a
full pipe) and watches a pidfd, so a dead worker is noticed at once even when processes
it started still hold its pipes.

The student's output is cheap to flood: each request tells the worker how much room for
output is left (``OutputCapture.room``), and the worker forwards no more than that.
``OutputCapture`` still keeps only the first ``limit`` bytes of whatever arrives, so a
student who writes to the descriptors directly slows only their own grading.
"""

from __future__ import annotations

import os
import select
import time
from typing import Any

from autograder.sandbox import protocol

CHUNK = 1 << 16
TRUNCATED = "\n[... truncated]"


class ChannelTimeout(Exception):
    """The deadline passed before a complete reply arrived."""


class ChannelClosed(Exception):
    """The worker exited or closed its end before a complete reply arrived."""


class OutputCapture:
    """The student's stdout and stderr: the first ``limit`` bytes kept, the rest counted."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.kept = bytearray()
        self.dropped = 0

    def add(self, data: bytes) -> None:
        room = max(0, self.limit - len(self.kept))
        self.kept += data[:room]
        self.dropped += max(0, len(data) - room)

    def room(self) -> int:
        """How many more bytes the worker need forward: those still kept, plus one so that
        an overflow shows (the truncation marker). Sent with every request; it only ever
        shrinks until the next ``rewind``, so a value read early is never too small."""
        return self.limit - len(self.kept) + 1

    def text(self) -> str:
        text = self.kept.decode("utf-8", errors="replace")
        return text + TRUNCATED if self.dropped else text

    def mark(self) -> tuple[int, int]:
        """Where the output stands now, for ``rewind``."""
        return len(self.kept), self.dropped

    def rewind(self, mark: tuple[int, int]) -> None:
        """Forget what was printed since ``mark`` (calls the grader makes again)."""
        del self.kept[mark[0]:]
        self.dropped = mark[1]


class Channel:
    """Pipes to and from one worker process, plus the pidfd that tells when it exits."""

    def __init__(self, request_w: int, reply_r: int, output_r: int, pidfd: int, output: OutputCapture) -> None:
        for fd in (request_w, reply_r, output_r):
            os.set_blocking(fd, False)
        self.request_w, self.reply_r, self.output_r, self.pidfd = request_w, reply_r, output_r, pidfd
        self.output = output
        self.reader = protocol.FrameReader()
        self.poller = select.poll()
        self._writing = False  # request_w is registered for POLLOUT
        for fd in (reply_r, output_r, pidfd):
            self.poller.register(fd, select.POLLIN)

    def exchange(self, request: bytes, deadline: float) -> Any:
        """Send one request frame and return the decoded reply (not yet validated).

        The request is written at once; the poll loop finishes it only if the pipe is full.
        """
        return self._pump(self._write(memoryview(request)), deadline)

    def receive(self, deadline: float) -> Any:
        """The next decoded message the worker sends, before ``deadline``."""
        return self._pump(memoryview(b""), deadline)

    def _pump(self, pending: memoryview, deadline: float) -> Any:
        """Write ``pending``, then wait for a reply, draining output all along.

        The request pipe is polled for writing only while there is something to write:
        a pipe is nearly always writable, so polling it longer would spin the CPU that
        the worker needs.
        """
        if pending:
            self.poller.register(self.request_w, select.POLLOUT)
        try:
            return self._pump_until_reply(pending, deadline)
        finally:
            if self._writing:
                self.poller.unregister(self.request_w)
                self._writing = False

    def _pump_until_reply(self, pending: memoryview, deadline: float) -> Any:
        self._writing = bool(pending)
        ended = ""
        while True:
            payload = self.reader.next_payload()
            if payload is not None:
                if pending:
                    raise protocol.ProtocolError("a reply arrived before the request was sent")
                self.drain_output()
                return protocol.decode(payload)
            if ended:
                raise ChannelClosed(ended)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ChannelTimeout()
            for fd, _ in self.poller.poll(remaining * 1000 + 1):
                if fd == self.request_w:
                    pending = self._write(pending)
                    if not pending:
                        self.poller.unregister(self.request_w)
                        self._writing = False
                elif fd == self.output_r:
                    self._read_output()
                elif fd == self.reply_r and not self._read_reply():
                    ended = "the worker closed the channel"
                elif fd == self.pidfd:
                    self._read_reply()  # a last reply may still be in the pipe
                    ended = "the worker exited"

    def _write(self, pending: memoryview) -> memoryview:
        try:
            return pending[os.write(self.request_w, pending[:CHUNK]):]
        except BlockingIOError:
            return pending
        except BrokenPipeError:
            raise ChannelClosed("the worker closed the channel") from None

    def _read_reply(self) -> bool:
        """Read what the reply pipe holds now; False at end of file."""
        while True:
            try:
                data = os.read(self.reply_r, CHUNK)
            except BlockingIOError:
                return True
            if not data:
                return False
            self.reader.feed(data)

    def _read_output(self) -> None:
        try:
            data = os.read(self.output_r, CHUNK)
        except BlockingIOError:
            return
        if data:
            self.output.add(data)
        else:  # every writer is gone: stop polling a pipe that stays readable forever
            self.poller.unregister(self.output_r)
            self.output_r = -1

    def drain_output(self) -> None:
        """Move whatever output is waiting now into the capture, without blocking."""
        while self.output_r >= 0:
            try:
                data = os.read(self.output_r, CHUNK)
            except BlockingIOError:
                return
            if not data:
                self.poller.unregister(self.output_r)
                self.output_r = -1
                return
            self.output.add(data)

    def close(self) -> None:
        """Close the grader's ends of the pipes and the pidfd."""
        for fd in (self.request_w, self.reply_r, self.output_r, self.pidfd):
            if fd >= 0:
                os.close(fd)
        self.request_w = self.reply_r = self.output_r = self.pidfd = -1
