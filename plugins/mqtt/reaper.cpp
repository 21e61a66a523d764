#include "reaper.hpp"

#include <algorithm>

namespace loadhost::mqtt_plugin {

namespace {
// How often busy clients are looked at again.
constexpr auto kPoll = std::chrono::milliseconds(20);
}  // namespace

Reaper::Reaper() : thread_([this] { run(); }) {}

Reaper::~Reaper() { shutdown(); }

void Reaper::shutdown() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Reaper::dispose(std::unique_ptr<mqtt::async_client> client, std::shared_ptr<Mailbox> mailbox,
                     mqtt::token_ptr busy) {
  if (!client) return;
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(Job{std::move(client), std::move(mailbox), std::move(busy), false});
  }
  wake_.notify_one();
}

bool Reaper::done(const mqtt::token_ptr &token) {
  if (!token) return true;
  try {
    return token->wait_for(std::chrono::milliseconds(0));
  } catch (...) {
    return true;  // completed with a failure
  }
}

void Reaper::run() {
  std::vector<Job> active;
  std::chrono::steady_clock::time_point give_up{};
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (active.empty()) wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      else wake_.wait_for(lock, kPoll, [this] { return stopping_ || !jobs_.empty(); });
      for (Job &job : jobs_) active.push_back(std::move(job));
      jobs_.clear();
      if (stopping_ && give_up == std::chrono::steady_clock::time_point{})
        give_up = std::chrono::steady_clock::now() + kQuiesceLimit;
      if (stopping_ && active.empty()) return;
      if (stopping_ && std::chrono::steady_clock::now() >= give_up) {
        // Still busy after kQuiesceLimit: destroying them could crash Paho's
        // threads; leak them (client and mailbox) instead.
        leaked_ = true;
        for (Job &job : active) {
          (void)job.client.release();
          (void)new std::shared_ptr<Mailbox>(std::move(job.mailbox));
        }
        return;
      }
    }
    step(active);
  }
}

void Reaper::step(std::vector<Job> &active) {
  // First every DISCONNECT, then the destroys: one round trip for the set.
  for (Job &job : active) {
    if (job.disconnect_tried || !done(job.busy)) continue;
    job.disconnect_tried = true;
    job.busy.reset();
    try {
      if (job.client->is_connected()) job.busy = job.client->disconnect(0);
    } catch (...) {
      // Lost meanwhile, or already disconnecting: nothing to send.
    }
  }
  auto quiet = [](Job &job) { return job.disconnect_tried && done(job.busy); };
  for (Job &job : active) {
    if (!quiet(job)) continue;
    job.busy.reset();
    try {
      job.client.reset();
    } catch (...) {
    }
    job.mailbox.reset();
  }
  std::erase_if(active, [](const Job &job) { return !job.client; });
}

}  // namespace loadhost::mqtt_plugin
