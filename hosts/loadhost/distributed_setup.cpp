#include "hosts/loadhost/distributed_setup.hpp"

#include <cstdio>

#include "core/distributed/master_key.hpp"

namespace loadhost::cli {

namespace {
bool is_loopback(const std::string &host) {
  return host.starts_with("127.") || host == "::1" || host == "localhost";
}
}  // namespace

std::string master_config(const CliOptions &o, distributed::MasterConfig &config) {
  config.bind_host = o.master_bind_host;
  config.bind_port = o.master_bind_port;
  if (!o.master_key.empty()) {
    distributed::MasterKey key;
    if (std::string e = distributed::load_master_key(o.master_key, true, key); !e.empty()) return e;
    config.curve_secret = key.secret_z85;
  }
  if (!is_loopback(o.master_bind_host))
    std::fprintf(stderr,
                 o.master_key.empty()
                     ? "loadhost: warning: the master listens on %s without --master-key: anyone who can reach "
                       "this port can join as a worker, run the scenario and see its stats\n"
                     : "loadhost: the master listens on %s; only workers with the --master-key file can join\n",
                 o.master_bind_host.c_str());
  return "";
}

std::string worker_config(const CliOptions &o, distributed::WorkerConfig &config) {
  config.master_host = o.master_host;
  config.master_port = o.master_port;
  if (!o.master_key.empty()) {
    distributed::MasterKey key;
    if (std::string e = distributed::load_master_key(o.master_key, false, key); !e.empty()) return e;
    config.curve_server_public = key.public_z85;
  }
  return "";
}

}  // namespace loadhost::cli
