// ArrivalDriver: the open workload model on one loop thread — iterations
// started on a schedule (ArrivalPlan), whatever the response times, by a
// pool of users of each open class.
//
// One steady_timer per loop: when it fires, every slot that is due starts
// (each with its own intended start) and the timer re-arms for the next
// slot — never a timer per slot, never a burst each second, no thread hop.
// A due slot goes to an idle user of its class's pool on this loop; with
// none idle and the pool below its ceiling, a new user is spawned and runs
// the iteration (with the slot's original intended start) once on_start is
// done. At the ceiling the slot waits for the first user to free up and
// starts late — its latency counts from its intended start, so a stall of
// the server shows (wrk2's correction) — but at most a second's worth of
// slots wait: past that, the iteration is dropped and counted (k6's
// dropped_iterations), so a server that stays too slow for the pool does
// not build an ever-growing queue.
//
// Thread: the loop's. Owned by the loop's UserRuntime, which creates the
// users (they live in its lists like any other) and tells the driver when
// one goes.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list.hpp>

#include <loadhost/scenario.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "core/engine/arrival_plan.hpp"

namespace loadhost::core {

class Loop;
class User;
class UserRuntime;

// One open class's share on one loop.
struct ArrivalLaneConfig {
  const lh_user_class *cls = nullptr;
  ArrivalPlan plan;              // the class's whole schedule (all loops)
  uint32_t slot_offset = 0;      // this loop runs slots offset, offset + stride, ...
  uint32_t slot_stride = 1;      // the number of loops
  uint32_t pre_allocated = 0;    // users started up front on this loop
  uint32_t max_users = 1;        // this loop's ceiling for the class
};

using IdleUsersHook = boost::intrusive::list_base_hook<
    boost::intrusive::tag<struct IdleUsersTag>,
    boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

class ArrivalDriver {
 public:
  ArrivalDriver(Loop &loop, UserRuntime &users);
  ~ArrivalDriver();

  // [loop-thread] All of these.
  // Starts the lanes; slot times count from `start_ns` (monotonic_ns).
  void start(std::vector<ArrivalLaneConfig> lanes, uint64_t start_ns);
  // A load shape's new total rate from `at_s` seconds after the start, each
  // lane taking `share` of it (its class's share).
  void change_rate(double at_s, double rate, const std::vector<double> &shares);
  // No slot starts any more (the test stops).
  void stop();

  // The user (of a lane) finished on_start or an iteration: it runs the
  // iteration it was spawned for, or waits in the idle pool.
  void user_ready(User &user);
  // The user is being destroyed: its lane's pool shrinks.
  void user_gone(User &user);

  bool active() const { return !lanes_.empty() && !stopped_; }

  struct Lane;

 private:
  void on_timer();
  void arm();
  void start_slot(Lane &lane, uint64_t intended_ns);
  void run_iteration(User &user, uint64_t intended_ns);
  void advance(Lane &lane);

  Loop &loop_;
  UserRuntime &users_;
  boost::asio::steady_timer timer_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  uint64_t start_ns_ = 0;
  bool stopped_ = false;
};

}  // namespace loadhost::core
