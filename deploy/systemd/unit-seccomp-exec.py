#!/usr/bin/python3
"""Runs a command under the seccomp filters a systemd unit declares, as systemd would install them.

    unit-seccomp-exec.py UNIT_FILE COMMAND [ARG...]

Needs Debian's python3-seccomp (libseccomp's bindings) and `systemd-analyze` to expand @groups.
Applied from the unit: SystemCallFilter= (lines in order: the first allow list, "~" removes, others
add; refused calls fail with SystemCallErrorNumber=), SystemCallArchitectures=native,
RestrictAddressFamilies= (socket() with any other family fails) and
MemoryDenyWriteExecute= (mmap/mprotect/pkey_mprotect asking for write+execute fail with EPERM).
Not applied: the namespace, capability and file-system sandboxing, which need systemd itself.
"""
import errno
import os
import socket
import subprocess
import sys

import seccomp


def groups():
    found, current = {}, None
    output = subprocess.run(["systemd-analyze", "syscall-filter"], capture_output=True, text=True, check=True).stdout
    for line in output.splitlines():
        if line.startswith("@"):
            current = found.setdefault(line.strip(), set())
        elif current is not None and line.strip() and not line.strip().startswith("#"):
            current.add(line.strip())
    return found


def expand(name, table, seen=()):
    if not name.startswith("@"):
        return {name}
    names = set()
    for item in table.get(name, ()):
        if item not in seen:
            names |= expand(item, table, seen + (name,))
    return names


def settings(unit):
    values = {}
    with open(unit) as handle:
        for line in handle:
            line = line.strip()
            if "=" in line and not line.startswith(("#", ";", "[")):
                key, value = line.split("=", 1)
                values.setdefault(key, []).append(value.strip())
    return values


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    unit, command = sys.argv[1], sys.argv[2:]
    values = settings(unit)
    table = groups()
    allowed = None
    for value in values.get("SystemCallFilter", []):
        deny = value.startswith("~")
        names = set()
        for item in value.lstrip("~").split():
            names |= expand(item, table)
        if allowed is None:
            allowed = set() if not deny else None
        allowed = (allowed - names) if deny else (allowed | names)
    allowed = allowed or set()
    error = getattr(errno, (values.get("SystemCallErrorNumber") or ["EPERM"])[-1])
    filters = seccomp.SyscallFilter(defaction=seccomp.ERRNO(error))
    families = (values.get("RestrictAddressFamilies") or [""])[-1].split()
    write_execute = (values.get("MemoryDenyWriteExecute") or ["no"])[-1] in ("yes", "true", "1")
    conditional = {"socket"} if families else set()
    if write_execute:
        conditional |= {"mmap", "mprotect", "pkey_mprotect"}
    unknown = []
    for name in sorted(allowed - conditional):
        try:
            filters.add_rule(seccomp.ALLOW, name)
        except (RuntimeError, ValueError):
            unknown.append(name)  # not a system call on this architecture/kernel headers
    # RestrictAddressFamilies: socket() only with these families (others get the default errno;
    # systemd answers EAFNOSUPPORT, and callers such as glibc's getaddrinfo only test for failure).
    if "socket" in allowed and families:
        for family in families:
            filters.add_rule(seccomp.ALLOW, "socket", seccomp.Arg(0, seccomp.EQ, getattr(socket, family)))
    # MemoryDenyWriteExecute: no mapping or protection change that is both writable and executable.
    if write_execute:
        wx = 0x2 | 0x4  # PROT_WRITE | PROT_EXEC
        for call in ("mmap", "mprotect", "pkey_mprotect"):
            if call in allowed:
                for permitted in (0, 0x2, 0x4):
                    filters.add_rule(seccomp.ALLOW, call, seccomp.Arg(2, seccomp.MASKED_EQ, wx, permitted))
    print(f"seccomp: {len(allowed or ())} system calls allowed ({len(unknown)} unknown here), "
          f"families {' '.join(families) or 'any'}, errno {errno.errorcode[error]}", file=sys.stderr)
    filters.load()
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
