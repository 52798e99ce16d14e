# Harness self-test: a background loop left running is killed after the
# scenario, so the next scenario starts clean.
( while :; do sleep 1; done ) &
echo $! >/tmp/bgloop.pid
