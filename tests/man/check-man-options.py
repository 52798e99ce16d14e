#!/usr/bin/env python3
"""Every option a cxlmem command's --help shows appears in its man page.

    check-man-options.py CXLMEM DOCDIR

For 'cxlmem --help' the page is cxlmem.8.scd; for each command it lists,
cxlmem-COMMAND.8.scd, which must exist. An option is a token such as -B or
--no-blocks anywhere in the help text; in the page it must stand on its
own (so --blocks does not count for --no-blocks).
"""
import os
import re
import subprocess
import sys

OPTION = re.compile(r'(?<![\w-])(--[a-z][a-z0-9-]*|-[A-Za-z])(?![\w-])')


def help_text(cxlmem, args):
    p = subprocess.run([cxlmem] + args + ['--help'], capture_output=True, text=True,
                       timeout=60)
    return p.stdout + p.stderr


def commands(top_help):
    """The command names in the 'commands:' block of cxlmem --help."""
    names, inside = [], False
    for line in top_help.splitlines():
        if line.strip() == 'commands:':
            inside = True
            continue
        if inside:
            m = re.match(r'\s+([a-z][a-z-]*)\s', line)
            if m and m.group(1) != 'help':
                names.append(m.group(1))
    return names


def missing_options(text, page_text):
    found = set(OPTION.findall(page_text.replace('\\', '')))
    return sorted(set(OPTION.findall(text)) - found)


def main():
    cxlmem, docdir = sys.argv[1], sys.argv[2]
    top = help_text(cxlmem, [])
    cmds = commands(top)
    if not cmds:
        print(f'FAIL: no commands found in "{cxlmem} --help"')
        return 1
    pages = [([], 'cxlmem.8.scd')] + [([c], f'cxlmem-{c}.8.scd') for c in cmds]
    failures = 0
    for args, page in pages:
        path = os.path.join(docdir, page)
        what = ' '.join(['cxlmem'] + args + ['--help'])
        if not os.path.exists(path):
            print(f'FAIL: "{what}" has no man page: {page} is missing')
            failures += 1
            continue
        with open(path, encoding='utf-8') as f:
            page_text = f.read()
        for opt in missing_options(help_text(cxlmem, args), page_text):
            print(f'FAIL: {page}: option {opt} (from "{what}") is not documented')
            failures += 1
    print(f'{len(pages)} pages checked, {failures} problem(s)')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
