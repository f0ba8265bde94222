"""coio's external repositories, for coio's WORKSPACE and for consumers'.

    load("@coio//:repositories.bzl", "coio_dependencies")
    coio_dependencies()

Everything comes from Debian 12 packages (see tools/setup_deps.sh, and
tools/setup_mingw.sh for the Windows build), so the build needs no network. Each repository is declared with maybe(): a workspace
that already defines one of these names keeps its own.
"""

load("@bazel_tools//tools/build_defs/repo:utils.bzl", "maybe")

def _symlink_children(repository_ctx, src):
    for child in src.readdir():
        repository_ctx.symlink(child, child.basename)

def _coio_local_tree_impl(repository_ctx):
    _symlink_children(repository_ctx, repository_ctx.path(repository_ctx.attr.workspace_file).dirname)

# Like local_repository, for a directory of coio's tree named by its WORKSPACE.
_coio_local_tree = repository_rule(
    implementation = _coio_local_tree_impl,
    attrs = {"workspace_file": attr.label(mandatory = True, allow_single_file = True)},
)

def _platforms_impl(repository_ctx):
    src = str(repository_ctx.path(repository_ctx.attr.path))
    found = repository_ctx.execute(["find", src, "-type", "f"])
    if found.return_code != 0 or not found.stdout:
        fail("cannot list %s: %s" % (src, found.stderr))
    for file in found.stdout.splitlines():
        rel = file[len(src) + 1:]
        content = repository_ctx.read(file)
        if rel == "cpu/BUILD":
            for cpu in repository_ctx.attr.extra_cpus:
                if '"%s"' % cpu not in content:
                    content += '\nconstraint_value(\n    name = "%s",\n    constraint_setting = ":cpu",\n)\n' % cpu
        repository_ctx.file(rel, content, executable = False)
    repository_ctx.file("WORKSPACE", 'workspace(name = "%s")\n' % repository_ctx.name)

# A copy of Bazel's own platforms (Debian keeps it at /usr/share/bazel/platforms)
# plus the CPUs that abseil's BUILD files name. Debian's bazel-platforms package
# has wasm but lacks cpu:mips64 and cpu:riscv64, which Bazel's tools name.
_platforms_repository = repository_rule(
    implementation = _platforms_impl,
    attrs = {
        "path": attr.string(default = "/usr/share/bazel/platforms"),
        "extra_cpus": attr.string_list(default = ["wasm32", "wasm64"]),
    },
)

def _debian_source_impl(repository_ctx):
    script = repository_ctx.path(repository_ctx.attr.setup_script)
    deps = repository_ctx.os.environ.get("COIO_DEPS_DIR") or "%s/third_party/.deps" % script.dirname.dirname
    src = repository_ctx.path("%s/%s" % (deps, repository_ctx.attr.directory))
    if not src.get_child(".coio-version").exists:
        result = repository_ctx.execute(["bash", str(script), repository_ctx.attr.setup_flag], timeout = 600)
        if result.return_code != 0:
            fail("%s's source is missing from %s and fetching it failed:\n%s\nRun %s (as root or with sudo)." %
                 (repository_ctx.attr.directory, src, result.stderr, script))
    _symlink_children(repository_ctx, src)
    if repository_ctx.attr.build_file:
        repository_ctx.symlink(repository_ctx.attr.build_file, "BUILD.bazel")
        repository_ctx.file("WORKSPACE", 'workspace(name = "%s")\n' % repository_ctx.name)

# A library from Debian's source package, unpacked by a setup script into
# ${COIO_DEPS_DIR:-<coio>/third_party/.deps}/<directory>; the repository
# rule runs the script (with setup_flag) if the source is missing. Abseil
# ships upstream's Bazel files; others get build_file.
_debian_source_repository = repository_rule(
    implementation = _debian_source_impl,
    attrs = {
        "directory": attr.string(mandatory = True),
        "setup_script": attr.label(mandatory = True, allow_single_file = True),
        "setup_flag": attr.string(mandatory = True),
        "build_file": attr.label(allow_single_file = True),
    },
    environ = ["COIO_DEPS_DIR"],
)

def _system_library_impl(repository_ctx):
    roots = [repository_ctx.path("/usr/include")]
    for d in roots[0].readdir():
        if "-linux-" in d.basename:  # Debian's multiarch headers
            roots.append(d)
    for header in repository_ctx.attr.headers:
        found = [r.get_child(header) for r in roots if r.get_child(header).exists]
        if not found:
            fail("/usr/include has no %s; run tools/setup_deps.sh" % header)
        repository_ctx.symlink(found[0], "include/" + header)
    repository_ctx.file("WORKSPACE", 'workspace(name = "%s")\n' % repository_ctx.name)
    repository_ctx.file("BUILD.bazel", """\
load("@rules_cc//cc:defs.bzl", "cc_library")

cc_library(
    name = "{name}",
    hdrs = glob(["include/**"]),
    defines = {defines},
    includes = ["include"],
    linkopts = {linkopts},
    visibility = ["//visibility:public"],
)
""".format(
        name = repository_ctx.attr.library,
        defines = repr(repository_ctx.attr.defines),
        linkopts = repr(repository_ctx.attr.linkopts),
    ))

# An installed library whose repository shows only its own headers, so that
# nothing else from /usr/include reaches a build (a cross build least of all).
_system_library = repository_rule(
    implementation = _system_library_impl,
    attrs = {
        "library": attr.string(mandatory = True),
        "headers": attr.string_list(mandatory = True),
        "defines": attr.string_list(),
        "linkopts": attr.string_list(),
    },
)

def coio_dependencies():
    """Declares the repositories coio needs, keeping any the workspace has."""

    # Paths into coio's tree are Labels, which resolve inside coio's own
    # repository even when coio is an external repository of another workspace.
    maybe(
        _coio_local_tree,
        name = "rules_cc",
        workspace_file = Label("//third_party/rules_cc:WORKSPACE"),
    )
    maybe(
        native.local_repository,
        name = "rules_java",
        path = "/usr/share/bazel/rules/java",
    )
    maybe(
        native.local_repository,
        name = "bazel_skylib",
        path = "/usr/share/bazel/tools/skylib",
    )
    maybe(
        _coio_local_tree,
        name = "remote_coverage_tools",
        workspace_file = Label("//third_party/remote_coverage_tools:WORKSPACE"),
    )
    maybe(
        _platforms_repository,
        name = "platforms",
    )
    maybe(
        _debian_source_repository,
        name = "com_google_absl",
        directory = "abseil",
        setup_script = Label("//tools:setup_deps.sh"),
        setup_flag = "--abseil-only",
    )
    maybe(
        native.new_local_repository,
        name = "com_google_googletest",
        path = "/usr/src/googletest",
        build_file = str(Label("//third_party:googletest.BUILD")),
    )
    maybe(
        _system_library,
        name = "liburing",
        library = "liburing",
        headers = ["liburing.h", "liburing"],
        linkopts = ["-luring"],
    )
    maybe(
        _system_library,
        name = "asio",
        library = "asio",
        headers = ["asio.hpp", "asio"],
        defines = ["ASIO_NO_DEPRECATED"],
        linkopts = ["-pthread"],
    )
    maybe(
        _system_library,
        name = "curl",
        library = "curl",
        headers = ["curl"],
        linkopts = ["-lcurl"],
    )

    # libcurl for Windows, built from Debian's curl source (the system's is
    # Linux's). Fetched only by a Windows build.
    maybe(
        _debian_source_repository,
        name = "curl_windows",
        directory = "curl",
        setup_script = Label("//tools:setup_mingw.sh"),
        setup_flag = "--curl-only",
        build_file = Label("//third_party:curl.BUILD"),
    )
