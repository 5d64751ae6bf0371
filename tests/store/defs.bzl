"""store_test: a cc_test of the store's public API with the dependencies
every such test has (the store, principals, the fresh-store helpers, Abseil
and GoogleTest's main). By default it runs on every engine (see
//tests:engines.bzl); `every_engine = False` keeps it to RocksDB."""

load("//tests:engines.bzl", "on_every_engine")

STORE_TEST_DEPS = [
    "//store",
    "//store:principal_issuer",
    "//tests/store:store_test_util",
    "//third_party:absl",
    "//third_party:gtest_main",
]

def store_test(name, deps = [], every_engine = True, **kwargs):
    all_deps = STORE_TEST_DEPS + [d for d in deps if d not in STORE_TEST_DEPS]
    if every_engine:
        on_every_engine(native.cc_test, name = name, deps = all_deps, **kwargs)
    else:
        native.cc_test(name = name, deps = all_deps, **kwargs)
