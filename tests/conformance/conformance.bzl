"""conformance_suite(): one set of test sources, one cc_test per backend.

The suite is what "a backend works" means: every backend this machine can
run builds the same sources, and each target also proves which backend ran
(COIO_EXPECTED_BACKEND, checked by backend_test.cc).
"""

load("@rules_cc//cc:defs.bzl", "cc_test")

# Backend name -> the selector library that makes make_backend() return it.
BACKENDS = {
    "io_uring": "//backends/selector:io_uring_only",
    "asio": "//backends/selector:asio_only",
}

def conformance_suite(name, srcs, deps = [], backends = BACKENDS, **kwargs):
    """Declares <name>_<backend> for each backend, and a test_suite <name>."""
    tests = []
    for backend, selector in backends.items():
        test_name = "%s_%s" % (name, backend)
        cc_test(
            name = test_name,
            srcs = srcs,
            local_defines = ['COIO_EXPECTED_BACKEND=\\"%s\\"' % backend],
            deps = deps + [
                "//api:core",
                selector,
                "@com_google_googletest//:gtest_main",
            ],
            **kwargs
        )
        tests.append(test_name)
    native.test_suite(name = name, tests = tests)
