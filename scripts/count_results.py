#!/usr/bin/env python3
"""Counts test cases in Bazel's test.xml files and prints "N passed, N failed".

gtest targets report each test case; py_test/sh_test targets report one case
for the whole target (Bazel writes that XML when the test does not).

Before the count it names every failed case as "FAILED: STEP //package:target
[case]" (STEP is the first directory under ROOT: main, tsan, or a step that is
not a Bazel test), so the closing lines of a run say what to look at. A target
run several times (--runs_per_test) or sharded counts each run; run and shard
results older than the target's own result are leftovers and not counted.
"""
import pathlib
import sys
import xml.etree.ElementTree as ET

# Bazel's per-run and per-shard directories under a target's log directory.
_RUN_DIR_PREFIXES = ("run_", "shard_")


def target_label(root: pathlib.Path, xml: pathlib.Path) -> tuple[str, str]:
    """(step, //package:target) for ROOT/STEP/package/.../target/test.xml."""
    parts = list(xml.relative_to(root).parts[:-1])
    step = parts.pop(0) if len(parts) > 1 else ""
    while parts and parts[-1].startswith(_RUN_DIR_PREFIXES):
        parts.pop()
    if not parts:
        return step, step
    if len(parts) == 1:
        return step, parts[0]
    return step, "//" + "/".join(parts[:-1]) + ":" + parts[-1]


def stale(xml: pathlib.Path) -> bool:
    """A run or shard result older than its target's own result: left over
    from an earlier invocation with --runs_per_test or sharding."""
    parent = xml.parent
    if not parent.name.startswith(_RUN_DIR_PREFIXES):
        return False
    own = parent.parent / "test.xml"
    return own.exists() and own.stat().st_mtime > xml.stat().st_mtime


def main(root_arg: str) -> int:
    root = pathlib.Path(root_arg).resolve()
    passed = 0
    failures = []
    for xml in sorted(root.rglob("test.xml")):
        if stale(xml):
            continue
        step, label = target_label(root, xml)
        try:
            tree = ET.parse(xml)
        except ET.ParseError:
            failures.append(f"{step} {label} (unreadable result {xml})")
            continue
        for case in tree.iter("testcase"):
            if case.find("failure") is not None or case.find("error") is not None:
                name = case.get("name", "")
                suite = case.get("classname", "")
                case_name = f"{suite}.{name}" if suite and suite != name else name
                # A target's own case is named after the target: no repeat.
                same = ("", label.rsplit(":", 1)[-1],
                        label.lstrip("/").replace(":", "/"))
                failures.append(f"{step} {label}"
                                + ("" if case_name in same else f" {case_name}"))
            elif case.get("status") == "notrun" or case.find("skipped") is not None:
                continue
            else:
                passed += 1
    for failure in failures:
        print(f"FAILED: {failure.strip()}")
    print(f"{passed} passed, {len(failures)} failed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "bazel-testlogs"))
