"""The power-cut model itself: data written without a sync is lost."""

import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

from tests.durability.power_cut import PowerCut

# Runs in a child under the shim, then SIGKILLs itself.
CHILD_UNDER_SHIM = textwrap.dedent("""
    import os, signal, sys
    tree = sys.argv[1]
    def put(name, data, sync):
        fd = os.open(os.path.join(tree, name),
                     os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.write(fd, data)
        if sync:
            os.fsync(fd)
        os.close(fd)
    put("base", b" unsynced", False)
    put("log", b"synced", True)
    put("log", b" unsynced", False)
    put("never-synced", b"data", False)
    os.mkdir(os.path.join(tree, "sub"))
    put("sub/renamed.tmp", b"whole", True)
    os.rename(os.path.join(tree, "sub/renamed.tmp"),
              os.path.join(tree, "sub/renamed"))
    put("marker", b"m", True)          # a later sync: the names above count
    put("late", b"after the last sync", False)
    os.rename(os.path.join(tree, "log"), os.path.join(tree, "log.moved"))
    os.kill(os.getpid(), signal.SIGKILL)
    """)


class PowerCutShimTest(unittest.TestCase):
    def test_unsynced_writes_and_names_are_lost(self):
        with tempfile.TemporaryDirectory() as tmp:
            tree = os.path.join(tmp, "tree")
            os.makedirs(tree)
            with open(os.path.join(tree, "base"), "wb") as f:
                f.write(b"before")
            cut = PowerCut(tree, os.path.join(tmp, "shadow"))
            env = dict(os.environ, **cut.environment())
            child = subprocess.run([sys.executable, "-c", CHILD_UNDER_SHIM,
                                    tree], env=env)
            self.assertEqual(child.returncode, -9)
            # Without the cut everything written is there.
            with open(os.path.join(tree, "log.moved"), "rb") as f:
                self.assertEqual(f.read(), b"synced unsynced")

            cut.roll_back()

            def read(name):
                with open(os.path.join(tree, name), "rb") as f:
                    return f.read()
            self.assertEqual(read("base"), b"before")
            self.assertEqual(read("log"), b"synced")
            # Its name became durable, its data never did.
            self.assertEqual(read("never-synced"), b"")
            self.assertEqual(read("sub/renamed"), b"whole")
            self.assertEqual(read("marker"), b"m")
            self.assertFalse(os.path.exists(os.path.join(tree,
                                                         "sub/renamed.tmp")))
            # Named after the last sync: gone, and the rename undone.
            self.assertFalse(os.path.exists(os.path.join(tree, "late")))
            self.assertFalse(os.path.exists(os.path.join(tree, "log.moved")))

    def test_without_the_shim_variables_nothing_is_recorded(self):
        with tempfile.TemporaryDirectory() as tmp:
            tree = os.path.join(tmp, "tree")
            os.makedirs(tree)
            cut = PowerCut(tree, os.path.join(tmp, "shadow"))
            env = dict(os.environ, LD_PRELOAD=cut.environment()["LD_PRELOAD"])
            subprocess.run([sys.executable, "-c", CHILD_UNDER_SHIM, tree],
                           env=env)
            self.assertFalse(os.path.exists(cut.shadow))


if __name__ == "__main__":
    unittest.main()
