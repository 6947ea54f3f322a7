#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal, for the tests of test/cli/interrupts.test.ts.

    python3 terminal.py COMMAND [ARGS...]

The command gets a new session whose controlling terminal is the pty (200 columns, so readline
does not wrap), as in a terminal emulator: its stdin is a TTY, Ctrl-C is the byte 0x03 (a SIGINT
to its process group when the line discipline is not in raw mode). This process relays bytes:
its stdin to the terminal (what is "typed"), the terminal's output to its stdout. The first line
on stderr is `pid N`, N the command's PID. It exits when the command does, with its status
(128 + N when killed by signal N); when its own stdin ends it goes on relaying output.
"""
import errno
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios


def main() -> int:
    if len(sys.argv) < 2:
        sys.stderr.write("usage: terminal.py COMMAND [ARGS...]\n")
        return 2
    pid, master = pty.fork()
    if pid == 0:
        try:
            os.execvp(sys.argv[1], sys.argv[1:])
        finally:
            os._exit(127)
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    sys.stderr.write("pid %d\n" % pid)
    sys.stderr.flush()
    # Killed (SIGTERM, SIGHUP): take the command along.
    def forward(signum, _frame):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGHUP, forward)
    stdin = sys.stdin.fileno()
    stdout = sys.stdout.fileno()
    inputs = [master, stdin]
    while True:
        try:
            ready, _, _ = select.select(inputs, [], [])
        except InterruptedError:
            continue
        if master in ready:
            try:
                data = os.read(master, 65536)
            except OSError as e:
                if e.errno != errno.EIO:
                    raise
                data = b""
            if not data:
                break  # the command and everything it started closed the terminal
            os.write(stdout, data)
        if stdin in ready:
            data = os.read(stdin, 65536)
            if data:
                os.write(master, data)
            else:
                inputs.remove(stdin)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main())
