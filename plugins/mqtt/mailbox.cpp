#include "mailbox.hpp"

#include <utility>

namespace loadhost::mqtt_plugin {

void Mailbox::push(Event event) {
  std::lock_guard lock(mutex_);
  if (!waker_) return;
  events_.push_back(std::move(event));
  // Under the lock, so close() + waker_destroy cannot run meanwhile.
  if (events_.size() == 1) host_->waker_wake(waker_);
}

void Mailbox::wake() {
  std::lock_guard lock(mutex_);
  if (waker_) host_->waker_wake(waker_);
}

void Mailbox::take(std::vector<Event> &out) {
  out.clear();
  std::lock_guard lock(mutex_);
  out.swap(events_);
}

lh_waker *Mailbox::close() {
  std::lock_guard lock(mutex_);
  events_.clear();
  return std::exchange(waker_, nullptr);
}

void Mailbox::on_success(const mqtt::token &token) {
  uint64_t op_id = uintptr_t(token.get_user_context());
  if (token.get_type() == mqtt::token::Type::SUBSCRIBE) {
    // Paho C 1.3.12 reads the SUBACK return code as a signed char, so a
    // refusal (0x80) arrives here as a success with "granted QoS" -128.
    try {
      const mqtt::subscribe_response response = token.get_subscribe_response();
      for (mqtt::ReasonCode code : response.get_reason_codes())
        if (suback_refused(int(code))) {
          push(Event{Event::Kind::failed, op_id, failure_text(kSubackFailure, 0), nullptr, 0});
          return;
        }
    } catch (...) {
      // No response kept: nothing to check.
    }
  }
  push(Event{Event::Kind::succeeded, op_id, {}, nullptr, 0});
}

void Mailbox::on_failure(const mqtt::token &token) {
  push(Event{Event::Kind::failed, uintptr_t(token.get_user_context()),
             failure_text(token.get_return_code(), token.get_reason_code()), nullptr, 0});
}

std::string failure_text(int rc, int reason) {
  // MQTT 3.1.1 CONNACK refusals (Paho passes them as the return code).
  static const char *const kConnack[] = {nullptr,
                                         "refused: unacceptable protocol version",
                                         "refused: client identifier rejected",
                                         "refused: server unavailable",
                                         "refused: bad user name or password",
                                         "refused: not authorized"};
  if (rc >= 1 && rc <= 5) return kConnack[rc];
  // A Paho C that reads the SUBACK return code right fails the subscribe
  // with the code itself.
  // (Paho's own codes are negative.)
  if (rc >= kSubackFailure && rc <= 0xff) return "refused by the broker (SUBACK return code 0x80)";
  if (reason >= 0x80) {  // MQTT 5
    std::string text = mqtt::exception::reason_code_str(reason);
    if (!text.empty()) return text;
  }
  // Paho's own codes. -1 is all Paho C says when the TCP/TLS connect fails
  // (its text is not reachable through Paho C++ 1.2).
  if (rc == MQTTASYNC_FAILURE) return "no connection (refused, unreachable, TLS handshake or timeout)";
  if (rc == MQTTASYNC_DISCONNECTED) return "not connected";
  std::string text = mqtt::exception::error_str(rc);
  if (text.empty() || text == "Unknown error") text = "Paho error " + std::to_string(rc);
  return text;
}

}  // namespace loadhost::mqtt_plugin
