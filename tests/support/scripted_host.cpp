#include "support/scripted_host.hpp"

#include <gtest/gtest.h>

namespace loadhost::test {

ScriptedHost *ScriptedHost::current = nullptr;

std::string text(lh_str s) { return s.data ? std::string(s.data, s.size) : std::string(); }
lh_str str(std::string_view s) { return {s.data(), s.size()}; }

lh_call *call_id(int i) {
  static char ids[256];
  return reinterpret_cast<lh_call *>(&ids[i]);
}

std::string Completion::header(std::string_view name) const {
  for (const auto &[k, v] : headers)
    if (k == name) return v;
  return {};
}

ScriptedHost::ScriptedHost() {
  current = this;
  host.abi = {LH_ABI_VERSION_MAJOR, LH_ABI_VERSION_MINOR};
  host.option = [](const lh_host *, const char *name) -> lh_str {
    auto it = current->options.find(name);
    return it == current->options.end() ? lh_str{nullptr, 0} : str(it->second);
  };
  host.timer_create = [](lh_loop *, lh_task_fn fn, void *ud) -> lh_timer * {
    current->timers.push_back(std::make_unique<FakeTimer>(FakeTimer{fn, ud}));
    return reinterpret_cast<lh_timer *>(current->timers.back().get());
  };
  host.now_ns = [](const lh_host *) -> uint64_t { return current->now_ns; };
  host.timer_arm = [](lh_timer *t, uint64_t us) {
    reinterpret_cast<FakeTimer *>(t)->armed = true;
    reinterpret_cast<FakeTimer *>(t)->delay_us = us;
  };
  host.timer_disarm = [](lh_timer *t) { reinterpret_cast<FakeTimer *>(t)->armed = false; };
  host.timer_destroy = [](lh_timer *t) {
    auto *timer = reinterpret_cast<FakeTimer *>(t);
    timer->armed = false;
    timer->destroyed = true;
  };
  host.conn_open = [](lh_loop *, const lh_conn_options *o, const lh_conn_callbacks *cb, void *ud) -> lh_conn * {
    auto c = std::make_unique<FakeConn>();
    c->host = text(o->host);
    c->port = o->port;
    c->tls = o->tls;
    c->tls_verify = o->tls_verify;
    c->sni_absent = o->tls_sni.data == nullptr;
    c->sni = text(o->tls_sni);
    c->alpn = text(o->alpn);
    c->callbacks = cb;
    c->ud = ud;
    current->conns.push_back(std::move(c));
    return current->conns.back()->handle();
  };
  host.conn_write = [](lh_conn *conn, const uint8_t *data, size_t size) {
    auto *c = reinterpret_cast<FakeConn *>(conn);
    ASSERT_FALSE(c->gone) << "write on a closed connection";
    ++c->writes;
    c->written.append(reinterpret_cast<const char *>(data), size);
  };
  host.conn_close = [](lh_conn *conn) {
    auto *c = reinterpret_cast<FakeConn *>(conn);
    ASSERT_FALSE(c->gone) << "double close";
    c->closed_by_plugin = c->gone = true;
  };
  host.call_complete = [](lh_call *call, const lh_response *r) {
    ++current->completions;
    current->last_status = r->status;
    if (!current->record) return;
    Completion d;
    d.call = call;
    d.status = r->status;
    d.has_error = r->error.data != nullptr;
    d.error = text(r->error);
    d.body = text(r->body);
    d.url = text(r->url);
    d.bytes_sent = r->bytes_sent;
    d.bytes_received = r->bytes_received;
    for (size_t i = 0; i < r->metadata_count; ++i)
      d.headers.emplace_back(text(r->metadata[i].key), text(r->metadata[i].value));
    current->done.push_back(std::move(d));
  };
  host.report = [](lh_loop *, const lh_request_event *e) {
    current->events.push_back(ReportedEvent{text(e->type), text(e->name), e->error.data != nullptr});
  };
}

ScriptedHost::~ScriptedHost() {
  if (current == this) current = nullptr;
}

void ScriptedHost::run_timers() {
  for (size_t i = 0; i < timers.size(); ++i) {
    FakeTimer &t = *timers[i];
    if (!t.armed || t.destroyed) continue;
    t.armed = false;
    t.fn(t.ud);
  }
}

void ScriptedHost::fire(uint64_t delay_us) {
  for (size_t i = 0; i < timers.size(); ++i) {
    FakeTimer &t = *timers[i];
    if (!t.armed || t.destroyed || t.delay_us != delay_us) continue;
    t.armed = false;
    t.fn(t.ud);
  }
}

void ScriptedHost::connect(FakeConn &c, std::string_view alpn) {
  c.callbacks->on_connected(c.ud, c.handle(), alpn.empty() ? lh_str{nullptr, 0} : str(alpn), {nullptr, 0});
}

void ScriptedHost::refuse(FakeConn &c, std::string_view why) {
  c.gone = true;
  c.callbacks->on_connected(c.ud, c.handle(), {nullptr, 0}, str(why));
}

void ScriptedHost::deliver(FakeConn &c, std::string_view bytes) {
  ASSERT_FALSE(c.gone);
  c.callbacks->on_data(c.ud, reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
}

void ScriptedHost::peer_close(FakeConn &c, lh_str error) {
  ASSERT_FALSE(c.gone);
  c.gone = true;
  c.callbacks->on_closed(c.ud, error);
}

}  // namespace loadhost::test
