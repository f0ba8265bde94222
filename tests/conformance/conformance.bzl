"""conformance_suite(): one set of test sources, one cc_test per backend.

The suite is what "a backend works" means: every backend this machine can
run builds the same sources, and each target also proves which backend ran
(COIO_EXPECTED_BACKEND, checked by backend_test.cc).
"""

load("@rules_cc//cc:defs.bzl", "cc_test")

# Backend name -> the selector library that makes make_backend() return it,
# and whether it is the Windows backend: its test builds for Windows only
# (--config=mingw, run under Wine), without the sources that call POSIX
# directly (`posix_srcs`).
BACKENDS = {
    "io_uring": struct(selector = "//backends/selector:io_uring_only", windows = False),
    "asio": struct(selector = "//backends/selector:asio_only", windows = False),
    "iocp": struct(selector = "//backends/selector:iocp_only", windows = True),
}

def conformance_suite(name, srcs, posix_srcs = [], deps = [], backends = BACKENDS, **kwargs):
    """Declares <name>_<backend> for each backend, and a test_suite <name>."""
    tests = []
    for backend, info in backends.items():
        test_name = "%s_%s" % (name, backend)
        cc_test(
            name = test_name,
            srcs = srcs + ([] if info.windows else posix_srcs),
            local_defines = ['COIO_EXPECTED_BACKEND=\\"%s\\"' % backend],
            target_compatible_with = ["@platforms//os:windows"] if info.windows else [],
            deps = deps + [
                "//api:core",
                info.selector,
                "@com_google_googletest//:gtest_main",
            ],
            **kwargs
        )
        tests.append(test_name)
    native.test_suite(name = name, tests = tests)
