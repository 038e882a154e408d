#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The manual and the shell completions against the programs themselves, so they never drift:

- every subcommand of 'vocana --help' has a subsection in vocana(1), and every option of
  'vocana COMMAND --help' is in that subsection; every option the subsection documents is one the
  command has (no stale options);
- bash and fish, asked to complete 'vocana COMMAND -', offer every option of the command (their
  real completion functions run: bash-completion's and fish's own); the zsh function's branch for
  the command names each one;
- vocana-app(1) against 'vocana-app --help', when the app is built.

Usage: check_manual.py VOCANA MAN_DIR COMPLETIONS_DIR [VOCANA_APP]
Exit 0, 1 with one line per problem, 77 when python3 cannot run the programs at all.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

OPT = re.compile(r"(?<![\w'-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])")
HELP_OPTS = {"-h", "--help"}
problems = []


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, **kw)


def help_text(vocana, *args):
    r = run([vocana, *args, "--help"])
    if r.returncode != 0:
        problems.append(f"'{' '.join(['vocana', *args])} --help' exited {r.returncode}")
    return r.stdout


def commands(vocana):
    text = help_text(vocana)
    block = text.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    names = []
    for line in block.splitlines():
        first = line.split()[0]
        if first == "help":
            continue
        names.append(first)
        m = re.match(r"\s+\S+ \| (\S+)", line)  # "enable | disable": both
        if m:
            names.append(m.group(1))
    return names


def options(text):
    return set(OPT.findall(text))


def man_text(path):
    """The page's source with troff escapes for hyphens and fonts removed."""
    with open(path, encoding="utf-8") as f:
        s = f.read()
    s = s.replace("\\-", "-").replace("\\(em", "-")
    s = re.sub(r"\\f[BIRP]", "", s)
    s = re.sub(r"\\f\(..", "", s)
    return s


def man_sections(s):
    """{subsection title: body} for every .SS."""
    parts = re.split(r'^\.S[SH] (.*)$', s, flags=re.M)
    out = {}
    for i in range(1, len(parts), 2):
        out[parts[i].strip('"')] = parts[i + 1]
    return out


def documented_options(body):
    """Options a section documents as items: the first line after each .TP."""
    found = set()
    lines = body.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(".TP") and i + 1 < len(lines):
            found |= options(lines[i + 1])
    return found


def check_man(vocana, man_dir, cmds):
    s = man_text(os.path.join(man_dir, "vocana.1"))
    secs = man_sections(s)
    if not re.search(r"Every command also takes\W+(BR\W+)?-h\W+--help", s):
        problems.append("vocana.1: the sentence that every command takes -h, --help is gone")
    for cmd in cmds:
        title = next((t for t in secs if re.match(rf"vocana {re.escape(cmd)}\b", t)
                      or re.search(rf"\bvocana {re.escape(cmd)}\b", t)), None)
        if title is None:
            problems.append(f"vocana.1: no subsection for 'vocana {cmd}'")
            continue
        have = options(help_text(vocana, cmd)) - HELP_OPTS
        body = secs[title]
        in_body = options(body)
        for o in sorted(have - in_body):
            problems.append(f"vocana.1: 'vocana {cmd}' option {o} is not documented")
        for o in sorted(documented_options(body) - HELP_OPTS - have):
            problems.append(f"vocana.1: 'vocana {cmd}' documents {o}, which the command does not have")
    top = options(help_text(vocana).split("options:", 1)[1])
    body = secs.get("Options of vocana itself", "")
    for o in sorted(top - options(body)):
        problems.append(f"vocana.1: vocana's own option {o} is not documented")


def bash_complete(comp_file, cmd):
    loader = "/usr/share/bash-completion/bash_completion"
    if not os.path.exists(loader) or not shutil.which("bash"):
        return None
    script = f"""
source {loader}
source {comp_file}
COMP_WORDS=(vocana {cmd} -); COMP_CWORD=2; COMP_LINE="vocana {cmd} -"; COMP_POINT=${{#COMP_LINE}}
COMPREPLY=(); _vocana; printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    r = run(["bash", "--norc", "--noprofile", "-c", script])
    return set(r.stdout.split())


def fish_complete(comp_file, cmd):
    if not shutil.which("fish"):
        return None
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=home, XDG_DATA_HOME=home)
        r = run(["fish", "--no-config", "-c",
                 f"source {comp_file}; complete -C 'vocana {cmd} -'"], env=env)
    return {line.split("\t")[0] for line in r.stdout.splitlines()}


def zsh_branches(path):
    with open(path, encoding="utf-8") as f:
        s = f.read()
    out = {}
    for labels, body in re.findall(r"^\t([\w|-]+)\)\n(.*?)^\t\t;;", s, flags=re.M | re.S):
        for label in labels.split("|"):
            out[label] = body
    return out


def check_completions(vocana, comp_dir, cmds):
    bash = os.path.join(comp_dir, "vocana.bash")
    fish = os.path.join(comp_dir, "vocana.fish")
    zsh = zsh_branches(os.path.join(comp_dir, "_vocana"))
    for cmd in cmds:
        have = options(help_text(vocana, cmd))
        if not have - HELP_OPTS:
            continue  # nothing but --help: words, not options, are completed (set, model)
        for shell, got in (("bash", bash_complete(bash, cmd)), ("fish", fish_complete(fish, cmd))):
            if got is None:
                print(f"note: {shell} is not installed: its completion is not run", file=sys.stderr)
                continue
            for o in sorted(have - got):
                problems.append(f"{shell} completion of 'vocana {cmd} -' lacks {o}")
        body = zsh.get(cmd)
        if body is None:
            problems.append(f"zsh completion: no branch for '{cmd}'")
            continue
        for o in sorted(have):
            if not re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", body):
                problems.append(f"zsh completion of 'vocana {cmd}' lacks {o}")


def check_app(app, man_dir):
    r = run([app, "--help"], env=dict(os.environ, GDK_BACKEND="none"))
    have = options(r.stdout.split("Application Options:", 1)[-1]) - HELP_OPTS
    s = man_text(os.path.join(man_dir, "vocana-app.1"))
    for o in sorted(have - options(s)):
        problems.append(f"vocana-app.1: option {o} is not documented")
    for o in sorted(documented_options(s) - HELP_OPTS - have):
        problems.append(f"vocana-app.1: documents {o}, which vocana-app does not have")


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    vocana, man_dir, comp_dir = sys.argv[1:4]
    cmds = commands(vocana)
    if len(cmds) < 10:
        problems.append(f"'vocana --help' lists only {cmds}")
    check_man(vocana, man_dir, cmds)
    check_completions(vocana, comp_dir, cmds)
    if len(sys.argv) > 4:
        check_app(sys.argv[4], man_dir)
    for p in problems:
        print(p)
    if not problems:
        print(f"ok: vocana.1 and the bash, zsh and fish completions cover the options of {len(cmds)} commands")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
