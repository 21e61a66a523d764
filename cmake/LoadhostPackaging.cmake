# `cpack -G DEB` (run in the build directory after building): one package,
# loadhost, with the binary, the bundled plugins, the demo target and the SDK
# (headers, loadhostConfig.cmake, the plugin example as source) under /usr.
# The installed host finds its plugins relative to its own executable
# (hosts/loadhost/install_layout.cpp), so the package also runs from a tree
# extracted anywhere with `dpkg-deb -x`.
# Packaging packs what is built; it never builds. Without this, cpack (and
# the install target) first builds `all` — every test binary too — outside
# whatever the caller arranged (a build lock, a CI step that already built).
# Build first: `cmake --build build && cd build && cpack -G DEB`.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(LOADHOST_PACKAGE_MAINTAINER "loadhost maintainers <loadhost@localhost>"
    CACHE STRING "The .deb's Maintainer field (set it for a release)")

set(CPACK_PACKAGE_NAME loadhost)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "${LOADHOST_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Load testing with users written as code, on a native engine with protocol plugins")
set(CPACK_PACKAGE_DESCRIPTION
    "loadhost runs Locust-style scenarios written in C++ (weighted tasks, wait times, load shapes, Locust-format CSV, Locust's web API and distributed protocol) on a native event-loop engine. Protocols (HTTP/1.1, HTTP/2, gRPC, WebSocket, MQTT, PostgreSQL) are plugins loaded through a stable C ABI; the package includes the plugin SDK and its CMake package (find_package(loadhost)).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Release binaries without their debug sections: the package is a tenth of
# the size and builds in seconds (the build tree keeps the symbols).
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # loadhost_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# The libraries' packages, found by dpkg-shlibdeps (dpkg-dev) from what the
# binary and the plugins link.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# `loadhost -f scenario.cpp` compiles the scenario with the system's C++
# compiler ($CXX or c++); a built scenario or plugin .so needs none.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "g++ | clang")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "cmake")

include(CPack)
