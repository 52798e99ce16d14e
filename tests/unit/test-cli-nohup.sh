#!/bin/sh
# `nohup cxlmem online-region ...`: a SIGHUP ignored at start stays ignored,
# while a SIGHUP that is not ignored, and SIGTERM always, stop the run with
# a message naming the signal. cxlmem is held in its wait for the run lock
# (another process holds it) so that the signal surely arrives mid-command.
#   test-cli-nohup.sh CXLMEM FIXTURES
set -u
cxlmem=$1 fixtures=$2
[ "$(id -u)" = 0 ] || { echo "SKIP: the run lock needs root"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a "$fixtures/hmem" "$tmp/root"
mkdir -p -m 0700 "$tmp/root/run/mhp"
python3 - "$cxlmem" "$tmp/root" <<'PY'
import fcntl, os, signal, subprocess, sys, time

cxlmem, root = sys.argv[1:3]
lock = open(os.path.join(root, 'run/mhp/lock'), 'a')
fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
fail = 0

def start(ignore_hup):
    pre = (lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN)) if ignore_hup else None
    p = subprocess.Popen([cxlmem, '--wait', '20', '--sysroot', root,
                          'online-region', 'dax0.0'],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         preexec_fn=pre, text=True)
    wait_for_handlers(p)
    return p

def sigmask(pid, field):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1], 16)
    return 0

def bit(sig):
    return 1 << (sig - 1)

# cxlmem installs its handlers before it plans and waits for the lock:
# signals sent earlier would meet the default action, so wait for them
def wait_for_handlers(p, timeout=60):
    end = time.time() + timeout
    while time.time() < end and p.poll() is None:
        if sigmask(p.pid, 'SigCgt') & bit(signal.SIGTERM):
            time.sleep(0.5)    # and into the lock wait
            return
        time.sleep(0.05)
    raise SystemExit('FAIL: cxlmem never installed its signal handlers')

def check(cond, what):
    global fail
    print(('ok: ' if cond else 'FAIL: ') + what)
    fail |= not cond

p = start(ignore_hup=True)
check(p.poll() is None, 'cxlmem is waiting for the run lock')
check(sigmask(p.pid, 'SigIgn') & bit(signal.SIGHUP) and
      not sigmask(p.pid, 'SigCgt') & bit(signal.SIGHUP),
      'under nohup cxlmem leaves SIGHUP ignored (SigIgn, not SigCgt)')
p.send_signal(signal.SIGHUP)
time.sleep(1.5)
check(p.poll() is None, 'under nohup (SIGHUP ignored at start) a SIGHUP does not stop it')
p.send_signal(signal.SIGTERM)
err = p.communicate(timeout=15)[1]
check(p.returncode != 0 and 'SIGTERM' in err,
      'SIGTERM still stops it, naming the signal (status %d)' % p.returncode)

p = start(ignore_hup=False)
p.send_signal(signal.SIGHUP)
err = p.communicate(timeout=15)[1]
check(p.returncode != 0 and 'SIGHUP' in err,
      'without nohup a SIGHUP stops it, naming the signal (status %d)' % p.returncode)
if fail:
    print(err)
sys.exit(fail)
PY
