// The mqtt plugin's quick mode: `loadhost -u 100 -t 30s --topic load/test
// --qos 1 mqtt://127.0.0.1:1883` runs MqttQuickUser with no scenario file.
#pragma once

#include "loadhost/scenario.h"

namespace loadhost::mqtt_plugin {

// [control-thread, init] Attaches the SDK to `host`; the class is static.
const lh_user_class *quick_user_class(const lh_host *host);

}  // namespace loadhost::mqtt_plugin
