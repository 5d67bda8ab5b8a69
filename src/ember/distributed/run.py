"""``python -m ember.distributed.run -n 4 train.py [args]``: start a job under MPI.

A thin wrapper around ``mpirun`` (or ``mpiexec``) so users need not learn its flags:
it runs the script with this Python in N processes, lets Open MPI run as root when
the user is root (containers), and allows more processes than cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys


def find_launcher():
    """The MPI launcher next to this Python (pip's Open MPI), else the first on PATH."""
    here = os.path.dirname(sys.executable)
    for name in ("mpirun", "mpiexec"):
        candidate = os.path.join(here, name)
        if os.path.exists(candidate):
            return candidate
    for name in ("mpirun", "mpiexec"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit(
        'No MPI launcher (mpirun or mpiexec) found: pip install -e ".[dist]" installs Open MPI'
    )


def is_open_mpi(launcher) -> bool:
    """True when ``launcher`` belongs to Open MPI (which needs its own flags)."""
    try:
        out = subprocess.run([launcher, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "Open MPI" in out.stdout + out.stderr or "OpenRTE" in out.stdout + out.stderr


def mpi_env(base=None):
    """The environment for the job: Open MPI may run as root (containers, CI)."""
    env = dict(os.environ if base is None else base)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    return env


def build_command(nproc, script_and_args, launcher=None):
    """The launcher command line for ``nproc`` processes running the script."""
    launcher = launcher or find_launcher()
    cmd = [launcher, "-n", str(nproc)]
    if is_open_mpi(launcher):
        cmd.append("--oversubscribe")
    return cmd + [sys.executable, *script_and_args]


def main(argv=None) -> int:
    """Parse ``-n N script [args]`` and run the job; returns its exit code."""
    p = argparse.ArgumentParser(prog="python -m ember.distributed.run", description=__doc__)
    p.add_argument("-n", "--nproc", type=int, default=2, help="number of processes")
    p.add_argument("script", help="the training script")
    p.add_argument("args", nargs=argparse.REMAINDER)
    a = p.parse_args(argv)
    if a.nproc < 1:
        p.error("-n must be at least 1")
    cmd = build_command(a.nproc, [a.script, *a.args])
    return subprocess.call(cmd, env=mpi_env())


if __name__ == "__main__":
    sys.exit(main())
