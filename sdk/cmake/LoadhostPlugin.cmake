# loadhost_add_plugin(<target> SOURCES ... [OUTPUT_NAME name] [LINK ...] [NO_INSTALL])
#
# Builds a loadhost plugin the way the ABI requires (sdk/include/loadhost/abi.h):
# a MODULE library with hidden visibility and a version script, so its one
# dynamic symbol is `loadhost_entry` and bundled libraries cannot collide with
# another vendor's. The .so lands next to the other bundled plugins.
set(LOADHOST_PLUGIN_VERSION_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/plugin.map")

function(loadhost_add_plugin target)
  cmake_parse_arguments(ARG "NO_INSTALL" "OUTPUT_NAME" "SOURCES;LINK" ${ARGN})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE loadhost_sdk ${ARG_LINK})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY "${LOADHOST_BUILD_PLUGIN_DIR}")
  if(ARG_OUTPUT_NAME)
    set_target_properties(${target} PROPERTIES OUTPUT_NAME ${ARG_OUTPUT_NAME})
  endif()
  target_link_options(${target} PRIVATE
    "-Wl,--version-script=${LOADHOST_PLUGIN_VERSION_SCRIPT}" "-Wl,--no-undefined")
  if(NOT ARG_NO_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION "${LOADHOST_PLUGIN_DIR}")
  endif()
endfunction()
