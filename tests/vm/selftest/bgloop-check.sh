pid=$(cat /tmp/bgloop.pid)
if kill -0 "$pid" 2>/dev/null; then echo "background loop $pid survived" >&2; exit 1; fi
echo "background loop was reaped"
