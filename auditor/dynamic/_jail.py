"""Confine a child's writes, then exec it: run as the first program inside the sandbox's namespaces.

    python -I -S _jail.py WRITABLE... -- ARGV...

Inside its own user + mount namespace (``unshare -r --mount``) the process may remount what it
sees. This script makes every mount read-only except the WRITABLE paths (bind-mounted onto
themselves first, so they stay writable), puts a private tmpfs on ``/dev/shm`` (the child's own,
gone when it ends), leaves ``/proc``, ``/sys`` and ``/dev`` alone, and execs ARGV. ``/tmp`` is
read-only like the rest: the child's TMPDIR is one of the WRITABLE paths.
Standard library only, run with ``-I -S``: nothing of the child's environment or site-packages
is imported. On any failure it prints one line and exits 125 without running ARGV. It stays as
the namespace's PID 1, reaping orphans, and runs ARGV as its child.
"""

import ctypes
import os
import sys

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
# statvfs flags -> mount flags that a remount inside a user namespace must keep (locked flags)
KEEP = ((os.ST_NOSUID, MS_NOSUID), (os.ST_NODEV, MS_NODEV), (os.ST_NOEXEC, MS_NOEXEC),
        (os.ST_NOATIME, MS_NOATIME), (os.ST_NODIRATIME, MS_NODIRATIME), (os.ST_RELATIME, MS_RELATIME))
LEAVE = ("/proc", "/sys", "/dev")
SHM = "/dev/shm"  # shared memory (NCCL, DataLoader workers): a private tmpfs, gone with the child

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p]


def mount(source, target, fstype, flags, data=None):
    enc = (lambda s: None if s is None else os.fsencode(s))
    if _libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def mount_points():
    """Mount points from /proc/self/mountinfo (octal escapes decoded), deepest last."""
    points = []
    with open("/proc/self/mountinfo", "rb") as fh:
        for line in fh:
            raw = line.split(b" ")[4]
            points.append(os.fsdecode(raw.replace(b"\\040", b" ").replace(b"\\011", b"\t")
                                      .replace(b"\\012", b"\n").replace(b"\\134", b"\\")))
    return list(dict.fromkeys(points))


def under(path, roots):
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def remount_readonly(point):
    flags = MS_REMOUNT | MS_BIND | MS_RDONLY
    try:
        vfs = os.statvfs(point)
    except OSError:
        return
    for st_flag, ms_flag in KEEP:
        if vfs.f_flag & st_flag:
            flags |= ms_flag
    mount(None, point, None, flags)


def confine(writable):
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    points = mount_points()
    keep = [os.path.realpath(w) for w in writable if os.path.isdir(w)]
    for path in keep:  # a bind is a mount of its own: it stays writable when its parent turns read-only
        mount(path, path, None, MS_BIND | MS_REC)
    shm = os.path.isdir(SHM) and not any(under(k, [SHM]) for k in keep)
    if shm:
        mount("tmpfs", SHM, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")
    for point in points:
        if not under(point, keep) and not under(point, LEAVE):
            remount_readonly(point)


def main(argv):
    if "--" not in argv:
        print("sandbox: usage: _jail.py WRITABLE... -- ARGV...", file=sys.stderr)
        return 125
    split = argv.index("--")
    writable, command = argv[:split], argv[split + 1:]
    try:
        confine(writable)
        os.chdir(os.getcwd())  # the working folder again, now through its writable bind mount
    except OSError as exc:
        print(f"sandbox: cannot confine writes: {exc}", file=sys.stderr)
        return 125
    return run_as_init(command)


def run_as_init(command):
    """Run ``command`` as a child and reap every orphan until it ends (this process is PID 1 of
    the namespace: the command keeps normal signal handling). Exit status: the command's, or
    128 + signal number if a signal ended it."""
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        except OSError as exc:
            print(f"sandbox: cannot start {command[0]}: {exc.strerror or exc}", file=sys.stderr)
        os._exit(127)
    while True:
        try:
            done, status = os.wait()
        except ChildProcessError:
            return 125
        if done == pid:
            return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
