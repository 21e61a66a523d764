# The plugin kit (sdk/include/loadhost/kit/) is for vendors' compilers too:
# every header compiles on its own, warning-free under -Wall -Wextra
# -Wpedantic -Werror, as C++17 (a plugin may be C++17, as websocket is) and
# C++20, with gcc and clang. quick_user.hpp needs the C++20 user SDK.
file(GLOB kit_headers "${SDK_INCLUDE}/loadhost/kit/*.hpp")
file(MAKE_DIRECTORY "${WORK_DIR}")
if(NOT kit_headers)
  message(FATAL_ERROR "no kit headers found under ${SDK_INCLUDE}/loadhost/kit")
endif()
foreach(compiler "c++" "${CLANG}")
  if(compiler STREQUAL "")
    continue()
  endif()
  foreach(header ${kit_headers})
    get_filename_component(name ${header} NAME)
    file(WRITE "${WORK_DIR}/${name}.cpp" "#include <loadhost/kit/${name}>\n")
    set(standards 17 20)
    if(name STREQUAL "quick_user.hpp")
      set(standards 20)
    endif()
    foreach(std ${standards})
      execute_process(
        COMMAND ${compiler} -std=c++${std} -Wall -Wextra -Wpedantic -Werror -I${SDK_INCLUDE} -fsyntax-only
                "${WORK_DIR}/${name}.cpp"
        RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
      if(NOT rc EQUAL 0)
        message(FATAL_ERROR "loadhost/kit/${name} does not compile cleanly as C++${std} with ${compiler}:\n${err}")
      endif()
    endforeach()
  endforeach()
  message(STATUS "${compiler}: every kit header compiles alone, warning-free")
endforeach()
