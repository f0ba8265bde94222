"""The C/C++ toolchain config of Debian's mingw-w64 (GCC 12, POSIX threads).

Only the -posix compilers are used: the default (win32-threads) variant of
GCC 12 has no std::thread, std::mutex or std::jthread.
"""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")
load(
    "@bazel_tools//tools/cpp:cc_toolchain_config_lib.bzl",
    "artifact_name_pattern",
    "feature",
    "flag_group",
    "flag_set",
    "tool_path",
)

_PREFIX = "/usr/bin/x86_64-w64-mingw32-"
_GCC = "/usr/lib/gcc/x86_64-w64-mingw32/12-posix"

_C_COMPILE = [ACTION_NAMES.c_compile]
_CXX_COMPILE = [
    ACTION_NAMES.cpp_compile,
    ACTION_NAMES.cpp_header_parsing,
    ACTION_NAMES.cpp_module_compile,
    ACTION_NAMES.cpp_module_codegen,
    ACTION_NAMES.linkstamp_compile,
]
_COMPILE = _C_COMPILE + _CXX_COMPILE + [ACTION_NAMES.assemble, ACTION_NAMES.preprocess_assemble]
_LINK = [
    ACTION_NAMES.cpp_link_executable,
    ACTION_NAMES.cpp_link_dynamic_library,
    ACTION_NAMES.cpp_link_nodeps_dynamic_library,
]

def _flags(name, actions, flags, enabled = True):
    return feature(
        name = name,
        enabled = enabled,
        flag_sets = [flag_set(actions = actions, flag_groups = [flag_group(flags = flags)])],
    )

def _impl(ctx):
    features = [
        # Windows 10's API; the same C++ standard as the host build.
        _flags("default_compile_flags", _COMPILE, ["-D_WIN32_WINNT=0x0A00", "-DWINVER=0x0A00"]),
        # Keeps the paths in .d files as Bazel wrote them (sandbox symlinks,
        # not their targets), or the header-inclusion check fails.
        _flags("no_canonical_paths", _COMPILE, ["-no-canonical-prefixes", "-fno-canonical-system-headers"]),
        _flags("default_cxx_flags", _CXX_COMPILE, ["-std=c++20"]),
        # One self-contained .exe: libstdc++, libgcc and winpthread linked in,
        # so Wine (or Windows) needs no DLL but its own. Bazel puts these
        # flags after the objects and archives, where static libraries go.
        _flags("default_link_flags", _LINK, ["-static", "-lstdc++"]),
        _flags("opt", _COMPILE, ["-O2", "-DNDEBUG"], enabled = False),
        _flags("dbg", _COMPILE, ["-g", "-O0"], enabled = False),
        feature(name = "fastbuild"),
        feature(name = "supports_pic", enabled = False),
    ]
    return cc_common.create_cc_toolchain_config_info(
        ctx = ctx,
        toolchain_identifier = "mingw-w64-x86_64-posix",
        host_system_name = "x86_64-pc-linux-gnu",
        target_system_name = "x86_64-w64-mingw32",
        target_cpu = "x64_mingw",
        target_libc = "msvcrt",
        compiler = "mingw-gcc",
        abi_version = "gcc-12",
        abi_libc_version = "msvcrt",
        features = features,
        artifact_name_patterns = [
            artifact_name_pattern(category_name = "executable", prefix = "", extension = ".exe"),
            artifact_name_pattern(category_name = "dynamic_library", prefix = "", extension = ".dll"),
        ],
        cxx_builtin_include_directories = [
            _GCC + "/include",
            _GCC + "/include-fixed",
            _GCC + "/include/c++",
            "/usr/x86_64-w64-mingw32/include",
            "/usr/share/mingw-w64/include",
        ],
        tool_paths = [
            tool_path(name = "gcc", path = _PREFIX + "gcc-posix"),
            tool_path(name = "cpp", path = _PREFIX + "cpp-posix"),
            tool_path(name = "ld", path = _PREFIX + "ld"),
            tool_path(name = "ar", path = _PREFIX + "ar"),
            tool_path(name = "nm", path = _PREFIX + "nm"),
            tool_path(name = "objdump", path = _PREFIX + "objdump"),
            tool_path(name = "strip", path = _PREFIX + "strip"),
            tool_path(name = "gcov", path = _PREFIX + "gcov-posix"),
            tool_path(name = "dwp", path = "/bin/false"),
            tool_path(name = "llvm-profdata", path = "/bin/false"),
        ],
    )

mingw_toolchain_config = rule(
    implementation = _impl,
    attrs = {},
    provides = [CcToolchainConfigInfo],
)
