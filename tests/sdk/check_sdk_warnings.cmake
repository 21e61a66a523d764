# The C++ SDK compiles warning-free under -Wall -Wextra -Werror with gcc and
# clang (a scenario author's flags must not find our warnings), and a call
# that is not awaited is a warning: `client.get("/")` without co_await
# would never be sent, so the awaitable is [[nodiscard]].
file(GLOB cpp_headers "${SDK_INCLUDE}/loadhost/*.hpp")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(all "")
foreach(header ${cpp_headers})
  get_filename_component(name ${header} NAME)
  string(APPEND all "#include <loadhost/${name}>\n")
endforeach()
file(WRITE "${WORK_DIR}/every_header.cpp" "${all}int main() { return 0; }\n")
file(WRITE "${WORK_DIR}/forgotten_await.cpp" [=[
#include <loadhost/loadhost.hpp>
struct Forgetful : loadhost::HttpUser {
  Forgetful() { task(1, &Forgetful::browse); }
  loadhost::Task<> browse() {
    client.get("/never-sent");
    co_return;
  }
};
LOADHOST_SCENARIO(Forgetful);
]=])
foreach(compiler "c++" "${CLANG}")
  if(compiler STREQUAL "")
    continue()
  endif()
  execute_process(
    COMMAND ${compiler} -std=c++20 -Wall -Wextra -Werror -I${SDK_INCLUDE} -fsyntax-only "${WORK_DIR}/every_header.cpp"
    RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "the SDK's C++ headers warn under ${compiler} -Wall -Wextra:\n${err}")
  endif()
  execute_process(
    COMMAND ${compiler} -std=c++20 -Wall -Wextra -Werror -I${SDK_INCLUDE} -fsyntax-only "${WORK_DIR}/forgotten_await.cpp"
    RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
  if(rc EQUAL 0 OR NOT err MATCHES "nodiscard|unused-result|ignoring return value")
    message(FATAL_ERROR "a call without co_await is no warning under ${compiler} (rc ${rc}):\n${err}")
  endif()
  message(STATUS "${compiler}: the SDK is warning-free, and a forgotten co_await warns")
endforeach()
