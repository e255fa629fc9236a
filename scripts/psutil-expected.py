#!/usr/bin/env python3
"""Independent oracle for the system-stats fixture trees.

usage: scripts/psutil-expected.py FIXTURE_DIR > FIXTURE_DIR/expected.json

FIXTURE_DIR holds proc/, sys/ (and optionally etc/ and ip-addr, the output of
`ip -o addr show`) laid out like a live machine (see scripts/capture-fixture.sh).  Values are computed by psutil
itself wherever psutil honours ``psutil.PROCFS_PATH`` (virtual_memory,
swap_memory, boot_time, net_io_counters, the /proc/diskstats parser) and by
small, deliberately plain re-implementations of psutil's rules wherever psutil
hardcodes the live /sys or asks the running kernel (sysconf) instead of the
fixture:

* cpu.logical_count: psutil's /proc fallback (count "processor" lines in
  proc/cpuinfo, else cpuN lines in proc/stat); psutil itself would call
  sysconf(_SC_NPROCESSORS_ONLN) on the machine running this script.
* disk_io: psutil's diskstats parser (sectors * 512), summed over names that
  are directories under FIXTURE/sys/block (psutil checks the live /sys/block).
* everything under sys/ (topology, cpufreq, net, thermal, firmware).

A file that is absent in the fixture yields null, never an error.
Requires `pip install psutil`.
"""

import ipaddress
import json
import os
import re
import sys
import warnings

import psutil
from psutil import _pslinux

PAGE_SIZE = 4096  # all fixtures are 4 KiB-page kernels (x86_64, rpi-v8, rpi-v7)


def read(root, rel, binary=False):
    """Content of ROOT/REL, or None if absent/unreadable."""
    path = os.path.join(root, rel)
    try:
        with open(path, "rb" if binary else "r") as f:
            return f.read()
    except OSError:
        return None


def read_str(root, rel):
    s = read(root, rel)
    return None if s is None else s.strip()


def read_int(root, rel):
    s = read_str(root, rel)
    if s is None:
        return None
    try:
        return int(s, 0) if s.startswith("0x") else int(s)
    except ValueError:
        return None


def exists(root, rel):
    return os.path.exists(os.path.join(root, rel))


# --------------------------------------------------------------------- cpu
def cpuinfo_blocks(root):
    text = read(root, "proc/cpuinfo")
    if text is None:
        return None
    blocks, cur = [], []
    for line in text.splitlines():
        if not line.strip():
            if cur:
                blocks.append(cur)
            cur = []
            continue
        if ":" in line:
            k, v = line.split(":", 1)
            cur.append((k.strip(), v.strip()))
    if cur:
        blocks.append(cur)
    return blocks


def cpuinfo_first(blocks, key):
    for b in blocks or []:
        for k, v in b:
            if k == key:
                return v
    return None


def logical_count(root):
    # psutil.cpu_count_logical() fallback path, applied to the fixture.
    text = read(root, "proc/cpuinfo")
    num = 0
    if text is not None:
        num = sum(1 for line in text.splitlines() if line.lower().startswith("processor"))
    if num == 0:
        stat = read(root, "proc/stat") or ""
        num = sum(1 for line in stat.splitlines() if re.match(r"cpu\d", line.split(" ")[0]))
    return num or None


def cpu_dirs(root):
    base = os.path.join(root, "sys/devices/system/cpu")
    try:
        names = os.listdir(base)
    except OSError:
        return []
    names = [n for n in names if re.fullmatch(r"cpu\d+", n)]
    return sorted(names, key=lambda n: int(n[3:]))


def physical_count(root, blocks):
    pairs = set()
    for n in cpu_dirs(root):
        pkg = read_int(root, f"sys/devices/system/cpu/{n}/topology/physical_package_id")
        core = read_int(root, f"sys/devices/system/cpu/{n}/topology/core_id")
        if pkg is not None and core is not None:
            pairs.add((pkg, core))
    if pairs:
        return len(pairs), "sysfs topology (physical_package_id, core_id)"
    for b in blocks or []:
        d = dict(b)
        if "physical id" in d and "core id" in d:
            pairs.add((d["physical id"], d["core id"]))
    if pairs:
        return len(pairs), "proc/cpuinfo (physical id, core id)"
    return None, None


def cpu_freq(root, blocks):
    curs, first = [], None
    for n in cpu_dirs(root):
        cur = read_int(root, f"sys/devices/system/cpu/{n}/cpufreq/scaling_cur_freq")
        if cur is None:
            continue
        curs.append(cur)
        if first is None:
            first = n
    if curs:
        mn = read_int(root, f"sys/devices/system/cpu/{first}/cpufreq/scaling_min_freq")
        mx = read_int(root, f"sys/devices/system/cpu/{first}/cpufreq/scaling_max_freq")
        return {
            "current_mhz": sum(curs) / len(curs) / 1000.0,
            "min_mhz": None if mn is None else mn / 1000.0,
            "max_mhz": None if mx is None else mx / 1000.0,
            "source": "sysfs cpufreq scaling_cur_freq (kHz) averaged over %d cpus" % len(curs),
        }
    mhz = [float(v) for b in blocks or [] for k, v in b if k == "cpu MHz"]
    if mhz:
        return {
            "current_mhz": sum(mhz) / len(mhz),
            "min_mhz": None,
            "max_mhz": None,
            "source": "proc/cpuinfo 'cpu MHz' averaged over %d cpus" % len(mhz),
        }
    return {"current_mhz": None, "min_mhz": None, "max_mhz": None, "source": None}


def cpu_section(root):
    blocks = cpuinfo_blocks(root)
    model, model_src = None, None
    for key in ("model name", "Model", "Hardware"):
        v = cpuinfo_first(blocks, key)
        if v:
            model, model_src = v, "proc/cpuinfo '%s'" % key
            break
    phys, phys_src = physical_count(root, blocks)
    return {
        "logical_count": logical_count(root),
        "physical_count": phys,
        "physical_count_source": phys_src,
        "model": model,
        "model_source": model_src,
        "freq": cpu_freq(root, blocks),
    }


# ------------------------------------------------------------------ memory
def memory_sections(root, notes):
    mem = swap = None
    if not exists(root, "proc/meminfo"):
        return None, None
    meminfo = {}
    for line in read(root, "proc/meminfo").splitlines():
        f = line.split()
        meminfo[f[0].rstrip(":")] = int(f[1]) * 1024
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        vm = psutil.virtual_memory()
    for c in caught:
        notes.append("psutil.virtual_memory warning: %s" % c.message)
    cached = meminfo.get("Cached", 0) + meminfo.get("SReclaimable", 0)
    legacy_used = vm.total - vm.free - vm.buffers - cached
    if legacy_used < 0:
        legacy_used = vm.total - vm.free
    mem = {
        "total": vm.total,
        "available": vm.available,
        "percent": vm.percent,
        "used": vm.used,
        "used_legacy": legacy_used,
        "free": vm.free,
        "active": vm.active,
        "inactive": vm.inactive,
        "buffers": vm.buffers,
        "cached": vm.cached,
        "shared": vm.shared,
        "slab": vm.slab,
    }
    if "MemAvailable" not in meminfo:
        mem["available_source"] = (
            "estimated: no MemAvailable in proc/meminfo and no proc/zoneinfo, "
            "so psutil falls back to MemFree + Cached"
            if not exists(root, "proc/zoneinfo")
            else "estimated from proc/zoneinfo watermarks (psutil calculate_avail_vmem)"
        )
    else:
        mem["available_source"] = "proc/meminfo MemAvailable"

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sw = psutil.swap_memory()
    for c in caught:
        notes.append("psutil.swap_memory warning: %s" % c.message)
    vmstat = {}
    for line in (read(root, "proc/vmstat") or "").splitlines():
        f = line.split()
        if len(f) == 2:
            vmstat[f[0]] = int(f[1])
    have_pswp = "pswpin" in vmstat and "pswpout" in vmstat
    if not have_pswp:
        notes.append("swap.sin/sout are null: no pswpin/pswpout in proc/vmstat (psutil reports 0 with a RuntimeWarning)")
    swap = {
        "total": sw.total,
        "used": sw.used,
        "free": sw.free,
        "percent": sw.percent,
        "sin": sw.sin if have_pswp else None,
        "sout": sw.sout if have_pswp else None,
        "pswpin_pages": vmstat.get("pswpin"),
        "pswpout_pages": vmstat.get("pswpout"),
        "sin_page_size_4096": vmstat["pswpin"] * PAGE_SIZE if have_pswp else None,
        "sout_page_size_4096": vmstat["pswpout"] * PAGE_SIZE if have_pswp else None,
    }
    return mem, swap


# -------------------------------------------------------------------- disk
def disk_section(root):
    if not exists(root, "proc/diskstats"):
        return None
    block = os.path.join(root, "sys/block")
    try:
        whole = sorted(n for n in os.listdir(block) if os.path.isdir(os.path.join(block, n)))
    except OSError:
        whole = []
    raw = _pslinux.disk_io_counters(perdisk=True)  # psutil's parser, no live-/sys filter
    keys = ("read_count", "write_count", "read_bytes", "write_bytes", "read_time",
            "write_time", "read_merged_count", "write_merged_count", "busy_time")
    tot = dict.fromkeys(keys, 0)
    used = []
    for name, vals in raw.items():
        if name.replace("/", "!") not in whole:
            continue
        used.append(name)
        for k, v in zip(keys, vals):
            tot[k] += v

    # plain re-parse as a cross-check of the psutil parser (20-column format)
    chk = dict.fromkeys(keys, 0)
    for line in read(root, "proc/diskstats").splitlines():
        f = line.split()
        if len(f) < 14 or f[2] not in whole:
            continue
        v = list(map(int, f[3:14]))
        for k, x in zip(keys, (v[0], v[4], v[2] * 512, v[6] * 512, v[3], v[7], v[1], v[5], v[9])):
            chk[k] += x
    assert chk == tot, (chk, tot)

    tot["devices"] = sorted(used)
    tot["excluded"] = sorted(n for n in raw if n not in used)
    return tot


# ----------------------------------------------------------------- network
def net_io_section(root):
    if not exists(root, "proc/net/dev"):
        return None
    per = psutil.net_io_counters(pernic=True)
    keys = ("bytes_sent", "bytes_recv", "packets_sent", "packets_recv",
            "errin", "errout", "dropin", "dropout")
    tot = {k: sum(getattr(n, k) for n in per.values()) for k in keys}
    agg = psutil.net_io_counters(pernic=False)
    assert all(getattr(agg, k) == tot[k] for k in keys)
    tot["interfaces"] = sorted(per)
    tot["excluding_lo"] = {k: sum(getattr(n, k) for name, n in per.items() if name != "lo") for k in keys}
    return tot


def primary_interface(root):
    route = read(root, "proc/net/route")
    name, source = None, None
    if route is not None:
        best = None
        for line in route.splitlines()[1:]:
            f = line.split()
            if len(f) >= 8 and f[1] == "00000000":
                metric = int(f[6])
                if best is None or metric < best[0]:
                    best = (metric, f[0])
        if best:
            name, source = best[1], "default route in proc/net/route"
    if name is None:
        base = os.path.join(root, "sys/class/net")
        try:
            ifs = sorted(os.listdir(base))
        except OSError:
            ifs = []
        for i in ifs:
            if i == "lo" or read_int(root, f"sys/class/net/{i}/type") == 772:
                continue
            if read_str(root, f"sys/class/net/{i}/operstate") == "up":
                name, source = i, "first up non-loopback interface in sys/class/net"
                break
    if name is None:
        return None
    speed = read_int(root, f"sys/class/net/{name}/speed")
    if speed is not None and speed < 0:
        speed = None
    return {
        "name": name,
        "source": source,
        "operstate": read_str(root, f"sys/class/net/{name}/operstate"),
        "mtu": read_int(root, f"sys/class/net/{name}/mtu"),
        "speed_mbps": speed,
        "duplex": read_str(root, f"sys/class/net/{name}/duplex") or "unknown",
        "address": read_str(root, f"sys/class/net/{name}/address"),
        **ipv4_of(root, name),
    }


def ipv4_of(root, name):
    """ipv4/netmask/broadcast of NAME from the tree's `ip-addr` file (the
    output of `ip -o addr show`, captured beside proc/); all null without one."""
    found = {"ipv4": None, "netmask": None, "broadcast": None}
    text = read(root, "ip-addr")
    for line in (text or "").splitlines():
        words = line.split()
        if len(words) < 4 or words[1].split("@")[0] != name or "inet" not in words:
            continue
        iface = ipaddress.IPv4Interface(words[words.index("inet") + 1])
        found["ipv4"] = str(iface.ip)
        found["netmask"] = str(iface.netmask)
        if "brd" in words:
            found["broadcast"] = str(ipaddress.IPv4Address(words[words.index("brd") + 1]))
        break
    return found


# ------------------------------------------------------------------ system
def system_section(root):
    pretty = None
    osr = read(root, "etc/os-release")
    if osr:
        for line in osr.splitlines():
            if line.startswith("PRETTY_NAME="):
                pretty = line.split("=", 1)[1].strip().strip('"')
    return {
        "hostname": read_str(root, "proc/sys/kernel/hostname"),
        "os_type": read_str(root, "proc/sys/kernel/ostype"),
        "os_release": read_str(root, "proc/sys/kernel/osrelease"),
        "os_version": read_str(root, "proc/sys/kernel/version"),
        "distribution": pretty,
    }


def load_avg(root):
    s = read_str(root, "proc/loadavg")
    if s is None:
        return None
    f = s.split()
    return [float(f[0]), float(f[1]), float(f[2])]


def uptime_section(root):
    bt = None
    if exists(root, "proc/stat"):
        try:
            bt = psutil.boot_time()
        except RuntimeError:
            bt = None
    up = read_str(root, "proc/uptime")
    return {
        "boot_time_epoch": bt,
        "uptime_seconds": None if up is None else float(up.split()[0]),
    }


THROTTLE_BITS = [
    (0, "under_voltage_now"),
    (1, "arm_freq_capped_now"),
    (2, "throttled_now"),
    (3, "soft_temp_limit_now"),
    (16, "under_voltage_occurred"),
    (17, "arm_freq_capped_occurred"),
    (18, "throttled_occurred"),
    (19, "soft_temp_limit_occurred"),
]


def raspberry_pi_section(root):
    model = read(root, "proc/device-tree/model", binary=True)
    if model is not None:
        model = model.rstrip(b"\x00").decode("utf-8", "replace").strip()
    raw = read_str(root, "sys/devices/platform/soc/soc:firmware/get_throttled")
    throttled = None
    if raw is not None:
        v = int(raw, 16)  # driver prints "%x\n", no 0x prefix
        throttled = {"raw": raw, "value": v}
        for bit, name in THROTTLE_BITS:
            throttled[name] = bool(v >> bit & 1)
    temp = None
    zone_type = None
    base = os.path.join(root, "sys/class/thermal")
    try:
        zones = sorted((z for z in os.listdir(base) if z.startswith("thermal_zone")),
                       key=lambda z: int(z[len("thermal_zone"):]))
    except OSError:
        zones = []
    for z in zones:
        t = read_int(root, f"sys/class/thermal/{z}/temp")
        if t is not None:
            temp, zone_type = t / 1000.0, read_str(root, f"sys/class/thermal/{z}/type")
            break
    return {
        "is_raspberry_pi": bool(model and model.startswith("Raspberry Pi")),
        "model": model,
        "throttled": throttled,
        "cpu_temperature_c": temp,
        "thermal_zone_type": zone_type,
    }


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    root = os.path.abspath(sys.argv[1])
    psutil.PROCFS_PATH = os.path.join(root, "proc")
    notes = []
    mem, swap = memory_sections(root, notes)
    out = {
        "fixture": os.path.basename(root.rstrip("/")),
        "oracle": "scripts/psutil-expected.py with psutil %s" % psutil.__version__,
        "cpu": cpu_section(root),
        "memory": mem,
        "swap": swap,
        "disk_io": disk_section(root),
        "network": {
            "io_counters": net_io_section(root),
            "primary_interface": primary_interface(root),
        },
        "uptime": uptime_section(root),
        "system": system_section(root),
        "load_avg": load_avg(root),
        "raspberry_pi": raspberry_pi_section(root),
        "notes": notes,
    }
    # keep expected.json independent of where the checkout lives
    out["notes"] = [n.replace(root + "/", "FIXTURE/") for n in notes]
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
