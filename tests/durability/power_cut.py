"""Simulated power cuts for end-to-end tests.

A process started with `PowerCut.environment()` added to its environment
runs with the power_cut_shim LD_PRELOAD library, which records what of the
watched tree a power cut would leave (see power_cut_shim.c for the model).
After the process is SIGKILLed, `roll_back()` turns the tree into that
state: files hold their last synced content, and the namespace is the one
of the last sync.
"""

import os
import shutil

SHIM = "tests/durability/libpower_cut_shim.so"


def find_shim():
    for env in ("TEST_SRCDIR", "RUNFILES_DIR"):
        root = os.environ.get(env)
        if root:
            path = os.path.join(root, "mailroom", SHIM)
            if os.path.exists(path):
                return os.path.abspath(path)
    raise FileNotFoundError(SHIM + " is not in the runfiles")


class PowerCut:
    def __init__(self, tree, shadow):
        self.tree = os.path.abspath(tree)
        self.shadow = os.path.abspath(shadow)

    def environment(self):
        """Variables that make a child process record syncs of the tree."""
        return {
            "LD_PRELOAD": find_shim(),
            "MAILROOM_POWERCUT_DIR": self.tree,
            "MAILROOM_POWERCUT_SHADOW": self.shadow,
        }

    def roll_back(self):
        """Leaves the tree as a power cut at this moment would have.

        REQUIRES: every process writing the tree is dead. Returns the number
        of files restored.
        """
        manifest = os.path.join(self.shadow, "manifest")
        with open(manifest, encoding="utf-8") as f:
            lines = f.read().splitlines()
        shutil.rmtree(self.tree)
        os.makedirs(self.tree)
        files = 0
        for line in lines:
            kind, rest = line.split(" ", 1)
            if kind == "d":
                os.makedirs(os.path.join(self.tree, rest), exist_ok=True)
                continue
            key, path = rest.split(" ", 1)
            target = os.path.join(self.tree, path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            synced = os.path.join(self.shadow, "ino", key)
            if os.path.exists(synced):
                shutil.copyfile(synced, target)
            else:
                open(target, "wb").close()  # created, never synced
            files += 1
        # The next run starts from a fresh baseline.
        shutil.rmtree(self.shadow)
        return files
