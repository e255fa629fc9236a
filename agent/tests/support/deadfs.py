#!/usr/bin/env python3
"""A FUSE filesystem whose statfs never answers (a dead NFS server, in
miniature). It speaks the kernel's FUSE protocol on /dev/fuse directly, so it
needs nothing but python3: mounts itself on argv[1], prints "mounted", then
answers INIT, GETATTR and LOOKUP of its empty root directory and leaves every
STATFS request unanswered for ever. Killing it aborts the connection; the
caller unmounts (umount -l)."""
import ctypes
import os
import struct
import sys

MS_NOSUID, MS_NODEV = 2, 4
LOOKUP, FORGET, GETATTR, STATFS, INIT, INTERRUPT, BATCH_FORGET = 1, 2, 3, 17, 26, 36, 42
ENOENT, ENOSYS = 2, 38
IN_HEADER = struct.Struct("<IIQQIIIHH")  # len opcode unique nodeid uid gid pid extlen pad


def reply(fd, unique, body=b"", error=0):
    os.write(fd, struct.pack("<IiQ", 16 + len(body), -error, unique) + body)


def root_attr():
    # fuse_attr_out: attr_valid, attr_valid_nsec, dummy, then fuse_attr
    attr = struct.pack("<QQQQQQIIIIIIIIII", 1, 0, 0, 0, 0, 0, 0, 0, 0,
                       0o040755, 2, 0, 0, 0, 4096, 0)
    return struct.pack("<QII", 1, 0, 0) + attr


def main():
    target = sys.argv[1].encode()
    fd = os.open("/dev/fuse", os.O_RDWR)
    libc = ctypes.CDLL(None, use_errno=True)
    opts = b"fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other" % fd
    if libc.mount(b"deadfs", target, b"fuse.deadfs", MS_NOSUID | MS_NODEV, opts) != 0:
        err = ctypes.get_errno()
        print("cannot mount: " + os.strerror(err), flush=True)
        sys.exit(1)
    print("mounted", flush=True)
    while True:
        try:
            req = os.read(fd, 1 << 17)
        except OSError:
            return  # connection aborted or unmounted
        if len(req) < IN_HEADER.size:
            return
        _, opcode, unique, _nodeid = IN_HEADER.unpack_from(req)[:4]
        if opcode == INIT:
            major, minor = struct.unpack_from("<II", req, IN_HEADER.size)
            # fuse_init_out: major minor max_readahead flags max_background
            # congestion_threshold max_write time_gran max_pages map_alignment flags2 unused[7]
            body = struct.pack("<IIIIHHIIHHI7I", 7, min(minor, 31), 0, 0, 1, 1,
                               4096, 1, 1, 0, 0, *([0] * 7))
            reply(fd, unique, body)
        elif opcode == GETATTR:
            reply(fd, unique, root_attr())
        elif opcode == LOOKUP:
            reply(fd, unique, error=ENOENT)
        elif opcode in (FORGET, BATCH_FORGET, INTERRUPT):
            pass  # no answer expected (and a STATFS stays unanswered)
        elif opcode == STATFS:
            pass  # the point: never answer
        else:
            reply(fd, unique, error=ENOSYS)


if __name__ == "__main__":
    main()
