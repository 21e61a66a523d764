// The command line's distributed settings turned into a master's or a
// worker's configuration: the key file, and the warning Locust lacks for a
// master reachable beyond loopback.
#pragma once

#include <string>

#include "core/distributed/master.hpp"
#include "core/distributed/worker.hpp"
#include "hosts/loadhost/cli_options.hpp"

namespace loadhost::cli {

// "" or why not (one line).
std::string master_config(const CliOptions &o, distributed::MasterConfig &config);
std::string worker_config(const CliOptions &o, distributed::WorkerConfig &config);

}  // namespace loadhost::cli
