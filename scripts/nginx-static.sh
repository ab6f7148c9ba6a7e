# Sourced by the serve benchmarks (bench-serve.sh, bench-serve-ab.sh).
# nginx_static DIR PORT: starts nginx on 127.0.0.1:PORT serving DIR/www as
# static files (application/json), its pid in DIR/nginx.pid, and waits until
# it answers DIR/www/manifest.json. DIR must be readable by nginx's workers.
nginx_static() {
	local dir=$1 port=$2
	cat >"$dir/nginx.conf" <<CONF
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $dir/body;
	proxy_temp_path $dir/proxy;
	fastcgi_temp_path $dir/fastcgi;
	uwsgi_temp_path $dir/uwsgi;
	scgi_temp_path $dir/scgi;
	default_type application/json;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$port;
		root $dir/www;
	}
}
CONF
	"$(command -v nginx || echo /usr/sbin/nginx)" -c "$dir/nginx.conf"
	for _ in $(seq 50); do
		curl -sf "http://127.0.0.1:$port/manifest.json" >/dev/null && return 0
		sleep 0.1
	done
	echo "nginx did not answer on 127.0.0.1:$port" >&2
	return 1
}
