#include "quick_user.hpp"

#include <loadhost/loadhost.hpp>

#include <charconv>

#include "call_target.hpp"
#include "settings.hpp"

namespace loadhost::grpc_plugin {

namespace {

struct GrpcQuickUser : User {
  static constexpr const char* name = "GrpcQuickUser";

  GrpcQuickUser() {
    method_ = std::string(option("call"));
    body_ = std::string(option("data"));
    std::vector<std::pair<std::string, std::string>> metadata;
    MethodName name;
    if (method_.empty()) setup_error_ = "grpc quick mode needs the method to call: --call package.Service/Method";
    else if (!parse_method_name(method_, name, setup_error_)) setup_error_ = "--call: " + setup_error_;
    else if (!parse_metadata_lines(option("metadata"), metadata, setup_error_)) setup_error_ = "-M: " + setup_error_;
    for (auto& [k, v] : metadata) options_.headers.push_back(Header{std::move(k), std::move(v)});
    options_.discard_body = true;  // counted, not decoded: quick mode measures, it does not look
    // For client-streaming and bidi methods: the -d message, N times.
    std::string_view n_text = option("stream-messages");
    unsigned n = 1;
    if (!n_text.empty()) {
      auto [end, ec] = std::from_chars(n_text.data(), n_text.data() + n_text.size(), n);
      if (ec != std::errc() || end != n_text.data() + n_text.size() || n == 0)
        setup_error_ = "--stream-messages '" + std::string(n_text) + "' is not a number above 0";
    }
    if (n > 1) {
      std::string many = "[";
      for (unsigned i = 0; i < n; ++i) many += (i ? "," : "") + body_;
      body_ = many + "]";
    }
    task(1, &GrpcQuickUser::call);
  }

  Task<> on_start() override {
    // A setup error (no --call, a .proto that does not parse, a bad URL)
    // would fail every call the same way: say it once per user, as a failed
    // request so the exit code tells, and stop the test.
    if (setup_error_.empty()) client_.session(setup_error_);
    if (!setup_error_.empty()) {
      report_request("grpc", method_.empty() ? "(setup)" : method_, Duration(0), 0, setup_error_);
      stop_test(setup_error_);
      throw StopUser{};
    }
    co_return;
  }

  Task<> call() {
    co_await client_.call("grpc", method_, body_, options_);
  }

  Client client_{"grpc", std::string(option("quick-url"))};
  std::string method_;
  std::string body_;
  CallOptions options_;  // -M metadata; the body is discarded
  std::string setup_error_;
};

}  // namespace

const lh_user_class* quick_user_class(const lh_host* host) {
  attach_host(host);
  return user_class<GrpcQuickUser>();
}

}  // namespace loadhost::grpc_plugin
