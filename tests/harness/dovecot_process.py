"""Starting, reading and stopping a private Dovecot instance that lives in
one directory (its config, `run/` base_dir and `dovecot.log`): what the
migration source and the Pigeonhole peer share. A subclass sets `dir` and
`config` and lists its TCP ports in tcp_ports()."""

import os
import shutil
import signal
import socket
import subprocess
import time

DOVECOT = "/usr/sbin/dovecot"


class DovecotProcess:
    dir = None
    config = None

    def tcp_ports(self):
        raise NotImplementedError

    def start(self, timeout=20):
        subprocess.run([DOVECOT, "-c", self.config], check=True)
        deadline = time.monotonic() + timeout
        ports = [p for p in self.tcp_ports() if p]
        while ports:
            try:
                with socket.create_connection(("127.0.0.1", ports[0]), 0.5):
                    ports.pop(0)
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("dovecot did not start:\n" + self.log())
                time.sleep(0.05)
        return self

    def log(self):
        try:
            with open(os.path.join(self.dir, "dovecot.log")) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def stop(self):
        """SIGTERM to the master, a wait of up to 5 s, then SIGKILL; the
        instance's directory is removed."""
        pid_file = os.path.join(self.dir, "run", "master.pid")
        try:
            with open(pid_file) as f:
                pid = int(f.read().strip())
        except (FileNotFoundError, ValueError):
            pid = None
        if pid:
            try:
                os.kill(pid, signal.SIGTERM)
                for _ in range(100):
                    os.kill(pid, 0)
                    time.sleep(0.05)
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False
