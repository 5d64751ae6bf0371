#!/usr/bin/env python3
"""Counts test cases in Bazel's test.xml files and prints "N passed, N failed".

gtest targets report each test case; py_test/sh_test targets report one case
for the whole target (Bazel writes that XML when the test does not).
"""
import pathlib
import sys
import xml.etree.ElementTree as ET


def main(root: str) -> int:
    passed = failed = 0
    for xml in sorted(pathlib.Path(root).resolve().rglob("test.xml")):
        try:
            tree = ET.parse(xml)
        except ET.ParseError:
            failed += 1
            print(f"unreadable result: {xml}", file=sys.stderr)
            continue
        for case in tree.iter("testcase"):
            if case.find("failure") is not None or case.find("error") is not None:
                failed += 1
            elif case.get("status") == "notrun" or case.find("skipped") is not None:
                continue
            else:
                passed += 1
    print(f"{passed} passed, {failed} failed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "bazel-testlogs"))
