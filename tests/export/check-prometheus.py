#!/usr/bin/python3
"""Parse a cxlmem export --format prometheus file with the Prometheus
project's own exposition parser (Debian's python3-prometheus-client) and
check what a textfile collector relies on.

  check-prometheus.py FILE DEVICE... [--recover DEVICE]

Exit 0 when the file parses, every family has HELP and TYPE, every
metric and label name is valid, each DEVICE has every per-device family,
and cxlmem_recover_needed says what --recover expects."""
import re
import sys

from prometheus_client.parser import text_string_to_metric_families

METRIC_NAME = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*$')
LABEL_NAME = re.compile(r'^[a-zA-Z_][a-zA-Z0-9_]*$')
PER_DEVICE = {
    'cxlmem_dax_device_info', 'cxlmem_dax_device_size_bytes',
    'cxlmem_dax_device_online_bytes', 'cxlmem_dax_device_memmap_location',
    'cxlmem_dax_device_dram_overhead_bytes', 'cxlmem_dax_device_applied_plan',
    'cxlmem_dax_device_drift_blocks',
}
ALWAYS = {'cxlmem_export_schema_version', 'cxlmem_recover_needed',
          'cxlmem_dax_device_waste_bytes'} | PER_DEVICE


def main():
    args = sys.argv[1:]
    recover = None
    if '--recover' in args:
        i = args.index('--recover')
        recover = args[i + 1]
        del args[i:i + 2]
    path, devices = args[0], args[1:]
    text = open(path, encoding='utf-8').read()
    errors = []
    if not text.endswith('\n'):
        errors.append('the file does not end with a newline')
    helps = set(re.findall(r'^# HELP (\S+) ', text, re.M))
    types = dict(re.findall(r'^# TYPE (\S+) (\S+)$', text, re.M))
    families = {f.name: f for f in text_string_to_metric_families(text)}
    for name in ALWAYS - set(families):
        errors.append('family %s is missing' % name)
    for name, fam in families.items():
        if not METRIC_NAME.match(name):
            errors.append('invalid metric name %r' % name)
        if name not in helps or name not in types:
            errors.append('%s lacks HELP or TYPE' % name)
        if fam.type != 'gauge':
            errors.append('%s is a %s, not a gauge' % (name, fam.type))
        for s in fam.samples:
            for label in s.labels:
                if not LABEL_NAME.match(label) or label.startswith('__'):
                    errors.append('invalid label name %r in %s' % (label, name))
            if s.value < 0:
                errors.append('%s%s is negative' % (name, s.labels))
    for dev in devices:
        for name in PER_DEVICE:
            if name in families and not any(
                    s.labels.get('device') == dev for s in families[name].samples):
                errors.append('%s has no sample for %s' % (name, dev))
        loc = [s for s in families['cxlmem_dax_device_memmap_location'].samples
               if s.labels.get('device') == dev]
        if sum(s.value for s in loc) != 1:
            errors.append('%s: not exactly one memmap location is 1' % dev)
    rec = families['cxlmem_recover_needed'].samples
    want = [(recover, 1.0)] if recover else [(None, 0.0)]
    got = [(s.labels.get('device'), s.value) for s in rec]
    if got != want:
        errors.append('cxlmem_recover_needed is %r, expected %r' % (got, want))
    for e in errors:
        print('FAIL: %s: %s' % (path, e), file=sys.stderr)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
