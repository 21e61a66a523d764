// loadhost C++ SDK — everything a scenario author includes.
//
//   #include <loadhost/loadhost.hpp>
//   using namespace loadhost;
//
// Header-only, C++20. It fills the C ABI tables (loadhost.h), so a scenario
// built with any C++20 compiler runs in any loadhost of the same ABI major.
#pragma once

#include "loadhost/loadhost.h"
#include "loadhost/runtime.hpp"
#include "loadhost/task.hpp"
#include "loadhost/wait_time.hpp"
#include "loadhost/tasks.hpp"
#include "loadhost/user.hpp"
#include "loadhost/client.hpp"
#include "loadhost/http.hpp"
#include "loadhost/when_all.hpp"
#include "loadhost/scenario.hpp"
