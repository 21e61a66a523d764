# loadhost_add_plugin(<target> SOURCES ... [OUTPUT_NAME name] [LINK ...] [NO_INSTALL])
#
# Builds a loadhost plugin the way the ABI requires (loadhost/abi.h): a
# MODULE library with hidden visibility and a version script, so its one
# dynamic symbol is `loadhost_entry` and bundled libraries cannot collide with
# another vendor's.
#
# The same file serves loadhost's own build and a vendor's project after
# find_package(loadhost) (it is installed beside loadhostConfig.cmake), so it
# names nothing in loadhost's source tree: the version script is found next to
# this file, the SDK is the target loadhost::sdk.
#   - Output: in loadhost's own build, beside the bundled plugins
#     (LOADHOST_BUILD_PLUGIN_DIR), where the built host finds them; elsewhere
#     where the project puts its libraries.
#   - Install: into LOADHOST_PLUGIN_DIR (default lib/loadhost/plugins under
#     the project's prefix). A host installed elsewhere finds the plugin
#     through LOADHOST_PLUGIN_PATH or `--plugin /path/to/name.so`.
# Plain C plugins stay C: loadhost::sdk requires C11 and no C++.
# Needs CMake 3.17 (CMAKE_CURRENT_FUNCTION_LIST_DIR); loadhostConfig.cmake checks.
include(GNUInstallDirs)

function(loadhost_add_plugin target)
  cmake_parse_arguments(ARG "NO_INSTALL" "OUTPUT_NAME" "SOURCES;LINK" ${ARGN})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE loadhost::sdk ${ARG_LINK})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(DEFINED LOADHOST_BUILD_PLUGIN_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${LOADHOST_BUILD_PLUGIN_DIR}")
  endif()
  if(ARG_OUTPUT_NAME)
    set_target_properties(${target} PROPERTIES OUTPUT_NAME ${ARG_OUTPUT_NAME})
  endif()
  # The function's own directory, not the caller's: plugin.map travels with
  # this file into <prefix>/lib/cmake/loadhost.
  target_link_options(${target} PRIVATE
    "-Wl,--version-script=${CMAKE_CURRENT_FUNCTION_LIST_DIR}/plugin.map" "-Wl,--no-undefined")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/plugin.map")
  if(NOT ARG_NO_INSTALL)
    if(DEFINED LOADHOST_PLUGIN_DIR)
      set(destination "${LOADHOST_PLUGIN_DIR}")
    else()
      set(destination "${CMAKE_INSTALL_LIBDIR}/loadhost/plugins")
    endif()
    install(TARGETS ${target} LIBRARY DESTINATION "${destination}")
  endif()
endfunction()
