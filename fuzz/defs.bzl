"""fuzz_target: a libFuzzer target whose seed corpus is replayed as a test."""

def fuzz_target(name, srcs, deps, corpus = None):
    """Declares `<name>_seeds_test`, which runs every file of the corpus
    (default: the folder `<name>_corpus`) through the fuzz target once.
    scripts/fuzz.sh finds the sources of `<name>` through this test.
    """
    corpus = corpus or name + "_corpus"
    native.filegroup(
        name = name + "_seeds",
        srcs = native.glob([corpus + "/*"]),
    )
    native.cc_test(
        name = name + "_seeds_test",
        srcs = srcs,
        args = ["$(locations :%s_seeds)" % name],
        data = [":%s_seeds" % name],
        deps = deps + ["//fuzz:seed_runner"],
    )
