// The redirect policy both HTTP plugins follow (plugins/http_common/
// redirect.hpp): which responses redirect, where to, and what changes.
#include "http_common/redirect.hpp"

#include <gtest/gtest.h>

#include "loadhost/call.h"

namespace loadhost::http_common {
namespace {

RedirectInput input(int status, std::optional<std::string_view> location, std::string_view method = "GET") {
  RedirectInput in;
  in.protocol = "http9";
  in.status = status;
  in.location = location;
  in.url = "http://shop.example/cart/view?x=1";
  in.host = "shop.example";
  in.method = method;
  return in;
}

TEST(RedirectPolicy, OnlyRedirectStatusesWithALocationAreFollowed) {
  std::string next, error;
  RedirectPlan plan;
  EXPECT_EQ(plan_redirect(input(200, "/x"), next, plan, error), RedirectOutcome::answer);
  EXPECT_EQ(plan_redirect(input(304, "/x"), next, plan, error), RedirectOutcome::answer);
  EXPECT_EQ(plan_redirect(input(302, std::nullopt), next, plan, error), RedirectOutcome::answer);
  RedirectInput off = input(302, "/x");
  off.request_flags = LH_REQUEST_NO_REDIRECTS;
  EXPECT_EQ(plan_redirect(off, next, plan, error), RedirectOutcome::answer);
  EXPECT_TRUE(next.empty());
  EXPECT_TRUE(error.empty());
  for (int status : {301, 302, 303, 307, 308}) {
    EXPECT_EQ(plan_redirect(input(status, "../login"), next, plan, error), RedirectOutcome::follow) << status;
    EXPECT_EQ(next, "http://shop.example/login") << status;
  }
}

TEST(RedirectPolicy, MethodBecomesGetAsBrowsersDo) {
  std::string next, error;
  const std::tuple<int, const char *, bool> cases[] = {
      {303, "POST", true},  {303, "PUT", true},   {303, "HEAD", false}, {301, "POST", true},
      {302, "POST", true},  {301, "PUT", false},  {307, "POST", false}, {308, "POST", false},
  };
  for (const auto &[status, method, becomes_get] : cases) {
    RedirectPlan plan;
    ASSERT_EQ(plan_redirect(input(status, "/next", method), next, plan, error), RedirectOutcome::follow);
    EXPECT_EQ(plan.becomes_get, becomes_get) << status << " " << method;
  }
}

TEST(RedirectPolicy, CredentialsStayWithTheirHost) {
  std::string next, error;
  RedirectPlan plan;
  ASSERT_EQ(plan_redirect(input(302, "HTTP://SHOP.EXAMPLE/a"), next, plan, error), RedirectOutcome::follow);
  EXPECT_FALSE(plan.drop_credentials);  // the same host in another case
  ASSERT_EQ(plan_redirect(input(302, "https://cdn.example/a"), next, plan, error), RedirectOutcome::follow);
  EXPECT_TRUE(plan.drop_credentials);
  EXPECT_EQ(next, "https://cdn.example/a");
}

TEST(RedirectPolicy, TooManyHopsAndBadLocationsFailWithOneLine) {
  std::string next, error;
  RedirectPlan plan;
  RedirectInput many = input(302, "/again");
  many.redirects_so_far = kMaxRedirects;
  EXPECT_EQ(plan_redirect(many, next, plan, error), RedirectOutcome::fail);
  EXPECT_EQ(error, "http9: more than 10 redirects");
  EXPECT_EQ(plan_redirect(input(302, "ftp://files.example/x"), next, plan, error), RedirectOutcome::fail);
  EXPECT_EQ(error, "http9: redirect to invalid URL \"ftp://files.example/x\": unsupported scheme (only http and https)");
}

}  // namespace
}  // namespace loadhost::http_common
