# Sourced by the benchmarks: one nginx worker on loopback answering every
# request with "hello from nginx\n" (no access log, keep-alive without
# limit), the peer every HTTP benchmark here runs against.
#
#   . tests/perf/nginx_hello.sh
#   start_hello_nginx "$work" [http2]   # sets $port; the caller's trap kills $(cat "$work/nginx.pid")

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_hello_nginx() {
  local work=$1 protocol=${2:-}
  port=$(free_port)
  cat >"$work/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $work/nginx.pid;
error_log $work/error.log;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path $work;
  server { listen 127.0.0.1:$port $protocol; location / { return 200 "hello from nginx\n"; } }
}
CONF
  nginx -c "$work/nginx.conf" -p "$work"
  sleep 0.5
}
