/* loadhost C ABI — everything in one include. */
#ifndef LOADHOST_LOADHOST_H
#define LOADHOST_LOADHOST_H
#include "abi.h"
#include "events.h"
#include "call.h"
#include "host.h"
#include "protocol.h"
#include "scenario.h"
#include "options.h"
#include "fd_watch.h"
#include "running.h"
#include "run_control.h"
#endif
