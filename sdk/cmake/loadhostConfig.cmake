# find_package(loadhost 1.0 CONFIG REQUIRED) — the plugin SDK for vendors.
#
# Gives:
#   loadhost::sdk          INTERFACE target: the installed headers
#                          (<prefix>/include/loadhost: the C ABI, the C++
#                          layer, the kit) and C11 — nothing else, so a plain
#                          C plugin is not made a C++ one. The C++ layer needs
#                          C++20; a C++ plugin asks for it itself.
#   loadhost_add_plugin()  builds a plugin exporting only `loadhost_entry`
#                          (LoadhostPlugin.cmake, beside this file).
#
# The package version is the SDK's C ABI version (LH_ABI_VERSION_MAJOR.MINOR
# in loadhost/abi.h), and the version file says SameMajorVersion: a plugin
# that asks for 1.0 builds against any 1.x SDK and loads in every 1.x host,
# because a minor only adds. Asking for 1.3 means "I use what 1.3 added".
#
# Every path here is relative to this file: the install tree can be moved,
# extracted from the .deb anywhere, or installed under any prefix.
if(CMAKE_VERSION VERSION_LESS 3.17)
  set(${CMAKE_FIND_PACKAGE_NAME}_FOUND FALSE)
  set(${CMAKE_FIND_PACKAGE_NAME}_NOT_FOUND_MESSAGE "loadhost's SDK needs CMake 3.17 or newer (this is ${CMAKE_VERSION})")
  return()
endif()
include("${CMAKE_CURRENT_LIST_DIR}/loadhostTargets.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/LoadhostPlugin.cmake")
