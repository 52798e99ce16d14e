#!/bin/sh
# `cxlmem online-region dax0.0 2>&1 | head -n4`: a reader that went away
# must not kill a run halfway. Here the pipe's read end is closed before
# cxlmem starts, so its first progress line meets EPIPE; with SIGPIPE at
# its default the process would die there (status -13).
#   test-cli-sigpipe.sh CXLMEM FIXTURES
set -u
cxlmem=$1 fixtures=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a "$fixtures/hmem" "$tmp/root"
python3 - "$cxlmem" "$tmp/root" <<'PY'
import os, subprocess, sys

cxlmem, root = sys.argv[1:3]
fail = 0
for args in (['online-region', 'dax0.0', '--dry-run'],
             ['offline-region', 'dax0.0']):
    r, w = os.pipe()
    os.close(r)
    # restore_signals (the default) gives the child SIGPIPE's default action
    p = subprocess.run([cxlmem, '--sysroot', root] + args, stdout=w, stderr=w)
    os.close(w)
    if p.returncode != 0:
        print('FAIL: cxlmem %s with its output pipe closed: status %d'
              % (' '.join(args), p.returncode))
        fail = 1
    else:
        print('ok: cxlmem %s with its output pipe closed: status 0' % ' '.join(args))
sys.exit(fail)
PY
