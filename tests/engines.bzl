"""Runs a test on every storage engine: `name` on RocksDB and `name_rados` on
RADOS (tag "rados"; MAILROOM_TEST_ENGINE=rados tells the test harnesses,
tests/store/store_test_util.h and tests/harness/mailroomd.py, to use the
cluster MAILROOM_RADOS_CONF names)."""

def on_every_engine(rule, name, tags = [], **kwargs):
    rule(name = name, tags = tags, **kwargs)
    rados = dict(kwargs)
    if "srcs" in rados and "main" not in rados and rados["srcs"] == [name + ".py"]:
        rados["main"] = name + ".py"  # a py_test named after its file
    rule(
        name = name + "_rados",
        # ThreadSanitizer runs cover the store's own code on RocksDB.
        tags = [t for t in tags if t != "tsan"] + ["rados"],
        env = {"MAILROOM_TEST_ENGINE": "rados"},
        **rados
    )
