// The kit's call-completion helpers (sdk/include/loadhost/kit/
// call_completion.hpp), against a host table that records what it got.
#include <gtest/gtest.h>

#include <loadhost/kit/call_completion.hpp>

#include <string>

namespace loadhost::kit {
namespace {

struct Completed {
  int count = 0;
  uint32_t size = 0;
  bool error_absent = false;
  std::string error;
  int64_t status = 0;
  uint32_t flags = 0;
  uint64_t bytes_sent = 0;
};
Completed g_completed;

void record(lh_call *, const lh_response *r) {
  ++g_completed.count;
  g_completed.size = r->size;
  g_completed.error_absent = r->error.data == nullptr;
  g_completed.error = std::string(view(r->error));
  g_completed.status = r->status;
  g_completed.flags = r->flags;
  g_completed.bytes_sent = r->bytes_sent;
}

lh_host recording_host() {
  lh_host h{};
  h.call_complete = &record;
  return h;
}

TEST(KitCallCompletion, FailedCarriesTextStatusAndFlags) {
  g_completed = {};
  const lh_host host = recording_host();
  complete_failed(host, nullptr, "connection refused", 0, LH_RESPONSE_NOT_CONNECTED);
  EXPECT_EQ(g_completed.count, 1);
  EXPECT_EQ(g_completed.size, sizeof(lh_response));
  EXPECT_FALSE(g_completed.error_absent);
  EXPECT_EQ(g_completed.error, "connection refused");
  EXPECT_EQ(g_completed.flags, uint32_t(LH_RESPONSE_NOT_CONNECTED));
  // A failure is never reported with an empty (success-looking) text.
  complete_failed(host, nullptr, "", 13);
  EXPECT_EQ(g_completed.count, 2);
  EXPECT_EQ(g_completed.error, "failed");
  EXPECT_EQ(g_completed.status, 13);
}

TEST(KitCallCompletion, OkHasAbsentError) {
  g_completed = {};
  const lh_host host = recording_host();
  complete_ok(host, nullptr, 42, 200);
  EXPECT_EQ(g_completed.count, 1);
  EXPECT_TRUE(g_completed.error_absent);
  EXPECT_EQ(g_completed.bytes_sent, 42u);
  EXPECT_EQ(g_completed.status, 200);
}

TEST(KitCallCompletion, SetErrorEmptyMeansSuccess) {
  lh_response r = make_response();
  EXPECT_EQ(r.size, sizeof(lh_response));
  set_error(r, "");
  EXPECT_EQ(r.error.data, nullptr);
  set_error(r, "HTTP 503 Service Unavailable");
  EXPECT_EQ(view(r.error), "HTTP 503 Service Unavailable");
}

}  // namespace
}  // namespace loadhost::kit
