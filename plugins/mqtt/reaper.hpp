// The plugin's cleanup thread: disconnects and destroys the Paho clients of
// closed sessions, off the loop threads (a disconnect waits for the broker;
// destroying a client waits for Paho's threads).
//
// Paho C must not destroy a client that is still busy: a client destroyed
// while its connect is in flight or before its DISCONNECT is done leaves
// Paho's send and receive threads with freed structures (Paho C issues #220,
// #700, #1669; the maintainers' rule is "fully disconnected before destroy").
// So a client is destroyed only once quiet: its last connect or disconnect
// complete (Paho's connect timeout bounds a connect), then, if connected,
// disconnected. Clients are handled as a set, not one by one: thousands of
// users stopping at once cost one round of DISCONNECTs.
//
// Lifetime. Started by the plugin's init; its destructor (in deinit, when
// every session is gone) waits for what is left, at most kQuiesceLimit, and
// joins the thread. A client still busy then is leaked, not destroyed (and
// its Mailbox with it, so its late callbacks still find one); leaked() tells
// deinit to keep the plugin's code mapped. A client is destroyed before its
// Mailbox, so no Paho callback can outlive it.
#pragma once

#include <mqtt/async_client.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "mailbox.hpp"

namespace loadhost::mqtt_plugin {

class Reaper {
 public:
  // How long the destructor waits for busy clients before leaking them.
  static constexpr std::chrono::seconds kQuiesceLimit{60};

  Reaper();
  ~Reaper();  // shutdown()
  // [control-thread] Drains (bounded by kQuiesceLimit) and joins; idempotent.
  void shutdown();
  Reaper(const Reaper &) = delete;
  Reaper &operator=(const Reaper &) = delete;

  // [any thread] Disconnects (if connected) and destroys `client` once it is
  // quiet, then releases `mailbox`. `busy` is the client's last connect or
  // disconnect token (may be null): nothing happens to the client before it
  // completes. Never blocks.
  void dispose(std::unique_ptr<mqtt::async_client> client, std::shared_ptr<Mailbox> mailbox,
               mqtt::token_ptr busy = nullptr);

  // [after shutdown] True when some client was still busy at kQuiesceLimit
  // and was leaked.
  bool leaked() const { return leaked_; }

 private:
  struct Job {
    std::unique_ptr<mqtt::async_client> client;
    std::shared_ptr<Mailbox> mailbox;
    mqtt::token_ptr busy;           // connect or disconnect in flight
    bool disconnect_tried = false;
  };
  void run();
  // One pass over `active`: sends DISCONNECTs, destroys the quiet clients
  // (removed from `active`).
  static void step(std::vector<Job> &active);
  static bool done(const mqtt::token_ptr &token);

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Job> jobs_;  // handed over, not yet taken by the thread
  bool stopping_ = false;
  bool leaked_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace loadhost::mqtt_plugin
