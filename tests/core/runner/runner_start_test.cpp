// A test that cannot start its event loops (each holds an epoll descriptor
// and an eventfd; 100,000 of them once aborted loadhost inside Boost.Asio)
// ends before it starts, failed, with the reason: start() never throws.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include "core/runner/runner.hpp"

namespace loadhost::core {
namespace {

// The open-file limit lowered for one scope, and put back.
class LowOpenFileLimit {
 public:
  explicit LowOpenFileLimit(rlim_t soft) {
    EXPECT_EQ(::getrlimit(RLIMIT_NOFILE, &old_), 0);
    rlimit low = old_;
    low.rlim_cur = soft;
    EXPECT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  }
  ~LowOpenFileLimit() { ::setrlimit(RLIMIT_NOFILE, &old_); }

 private:
  rlimit old_{};
};

TEST(RunnerStart, LoopsThatCannotBeCreatedFailTheTest) {
  Engine engine(EngineConfig{.loop_threads = 200});
  const lh_scenario no_users{sizeof(lh_scenario), 0, nullptr, nullptr};
  Runner runner(engine, no_users, RunOptions{});
  {
    LowOpenFileLimit limit(64);
    runner.run();  // returns: nothing was started
  }
  EXPECT_EQ(runner.state(), RunnerState::stopped);
  EXPECT_NE(engine.failure().find("cannot create 200 event loops: "), std::string::npos) << engine.failure();
  EXPECT_NE(engine.failure().find("(use fewer --threads)"), std::string::npos) << engine.failure();
  EXPECT_EQ(runner.stop_reason(), engine.failure());
  EXPECT_TRUE(engine.loops().empty()) << "no half-made set of loops is kept";
}

}  // namespace
}  // namespace loadhost::core
