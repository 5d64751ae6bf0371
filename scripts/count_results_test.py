"""The test runner's closing lines: the count and the name of every failure."""
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

SCRIPT = pathlib.Path(__file__).resolve().parent / "count_results.py"


def write(root: pathlib.Path, rel: str, cases: str) -> None:
    path = root / rel / "test.xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<testsuites><testsuite name='s'>{cases}</testsuite></testsuites>")


class CountResultsTest(unittest.TestCase):
    def run_script(self, root: pathlib.Path) -> list[str]:
        out = subprocess.run([sys.executable, str(SCRIPT), str(root)], check=True,
                             capture_output=True, text=True).stdout
        return out.splitlines()

    def test_names_each_failure_before_the_count(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = pathlib.Path(tmp)
            write(root, "main/tests/server/host_e2e_test",
                  "<testcase name='tests/server/host_e2e_test'><failure message='x'/></testcase>")
            write(root, "main/store/store_test/shard_1_of_2",
                  "<testcase name='A' classname='StoreTest'/>"
                  "<testcase name='B' classname='StoreTest'><failure message='x'/></testcase>")
            write(root, "tsan/tests/store/x_test/run_2_of_3",
                  "<testcase name='C' classname='X'/>"
                  "<testcase name='D' classname='X'><skipped/></testcase>")
            write(root, "ceph_dev_cluster",
                  "<testcase name='ceph_dev_cluster'><failure message='m'/></testcase>")
            (root / "main/broken").mkdir(parents=True)
            (root / "main/broken/test.xml").write_text("<testsuites")
            lines = self.run_script(root)
        self.assertEqual(lines[-1], "2 passed, 4 failed")
        self.assertEqual(sorted(lines[:-1]), sorted([
            "FAILED: ceph_dev_cluster",
            "FAILED: main //store:store_test StoreTest.B",
            "FAILED: main //tests/server:host_e2e_test",
            f"FAILED: main broken (unreadable result {os.path.realpath(root)}/main/broken/test.xml)",
        ]))

    def test_leftover_runs_of_an_earlier_invocation_do_not_count(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = pathlib.Path(tmp)
            write(root, "main/a/b_test/run_1_of_2",
                  "<testcase name='a/b_test'><failure message='x'/></testcase>")
            old = root / "main/a/b_test/run_1_of_2/test.xml"
            os.utime(old, (1000, 1000))
            write(root, "main/a/b_test", "<testcase name='a/b_test'/>")
            self.assertEqual(self.run_script(root), ["1 passed, 0 failed"])

    def test_all_green_prints_only_the_count(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = pathlib.Path(tmp)
            write(root, "main/a/b_test", "<testcase name='a/b_test'/>")
            self.assertEqual(self.run_script(root), ["1 passed, 0 failed"])


if __name__ == "__main__":
    unittest.main()
