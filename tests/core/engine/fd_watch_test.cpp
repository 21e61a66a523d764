// The fd-watch extension on a real loop thread and a real pipe.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "core/engine/engine.hpp"

namespace loadhost::core {
namespace {

using namespace std::chrono_literals;

struct Pipe {
  int fds[2];
  Pipe() { EXPECT_EQ(::pipe(fds), 0); }
  ~Pipe() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
};

// Runs fn on the loop thread and waits for it.
template <class F>
void on_loop(Loop &loop, F fn) {
  std::promise<void> done;
  boost::asio::post(loop.io(), [&] {
    fn();
    done.set_value();
  });
  done.get_future().wait();
}

class FdWatchTest : public ::testing::Test {
 protected:
  void SetUp() override { engine.start_loops(); }
  void TearDown() override { engine.stop_loops(); }
  Engine engine{EngineConfig{.loop_threads = 1}};
  const lh_host_fd_watch *api =
      static_cast<const lh_host_fd_watch *>(engine.host()->get_extension(engine.host(), LH_HOST_FD_WATCH_ID));
  Loop &loop() { return *engine.loops()[0]; }
};

struct Seen {
  std::atomic<int> calls{0};
  std::atomic<uint32_t> last{0};
  static void fn(void *ud, lh_fd_events ready) {
    auto *s = static_cast<Seen *>(ud);
    s->last = ready;
    ++s->calls;
  }
};

TEST_F(FdWatchTest, ReadableOnceDataArrivesOneShot) {
  ASSERT_NE(api, nullptr);
  Pipe pipe;
  Seen seen;
  lh_fd_watch *watch = nullptr;
  on_loop(loop(), [&] {
    watch = api->create(&loop(), pipe.fds[0], &Seen::fn, &seen);
    api->arm(watch, LH_FD_READABLE);
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(seen.calls.load(), 0) << "nothing to read yet";
  ASSERT_EQ(::write(pipe.fds[1], "x", 1), 1);
  for (int i = 0; i < 200 && seen.calls.load() == 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(seen.calls.load(), 1);
  EXPECT_EQ(seen.last.load(), LH_FD_READABLE);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(seen.calls.load(), 1) << "one-shot: no second call without arming again";
  on_loop(loop(), [&] { api->arm(watch, LH_FD_READABLE); });
  for (int i = 0; i < 200 && seen.calls.load() == 1; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(seen.calls.load(), 2) << "still readable: the new arming fires";
  on_loop(loop(), [&] { api->destroy(watch); });
  char c;
  EXPECT_EQ(::read(pipe.fds[0], &c, 1), 1) << "the descriptor is still open and ours";
}

TEST_F(FdWatchTest, WritablePipeAndNothingAfterDestroy) {
  Pipe pipe;
  Seen seen;
  lh_fd_watch *w = nullptr;
  on_loop(loop(), [&] {
    w = api->create(&loop(), pipe.fds[1], &Seen::fn, &seen);
    api->arm(w, LH_FD_WRITABLE);
    lh_fd_watch *r = api->create(&loop(), pipe.fds[0], &Seen::fn, &seen);
    api->arm(r, LH_FD_READABLE);
    api->destroy(r);  // destroyed while armed
  });
  ASSERT_EQ(::write(pipe.fds[1], "x", 1), 1);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(seen.calls.load(), 1) << "the writable watch fired; the destroyed one never";
  EXPECT_EQ(seen.last.load(), LH_FD_WRITABLE);
  on_loop(loop(), [&] { api->destroy(w); });
}

}  // namespace
}  // namespace loadhost::core
