#!/usr/bin/env python3
"""node-exporter-expected.py FIXTURE > agent/tests/fixtures/FIXTURE/node-exporter-expected.json

An independent oracle for the node_exporter families system-stats adds
beyond the psutil-checked ones: reads the captured tree's files directly
(written from node_exporter 1.5's documented semantics, not from our Rust
code) and prints {"series": value} with series as rendered in /metrics
(`name{label="value",...}`, labels sorted by name). Families whose source
file is absent in the tree are absent from the output. Dynamic families
(node_time_seconds, the time zone, scrape durations) are not included.
"""
import json
import os
import re
import sys

PAGE_SIZE = 4096  # the captured trees are from 4 KiB-page kernels
VMSTAT = re.compile(r"^(oom_kill|pgpg|pswp|pg.*fault).*")
NETSTAT = re.compile(
    r"^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)"
    r"|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)"
    r"|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)"
    r"|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$")
# node_exporter 1.5's default --collector.diskstats.ignored-devices (zram is reported)
DISK_EXCLUDE = re.compile(r"^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$")

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "agent", "tests", "fixtures", sys.argv[1])
out = {}


def read(rel):
    try:
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def put(name, value, **labels):
    if labels:
        name += "{" + ",".join(f'{k}="{labels[k]}"' for k in sorted(labels)) + "}"
    out[name] = float(value)


stat = read("proc/stat")
if stat:
    kv = {l.split()[0]: l.split()[1] for l in stat.splitlines() if len(l.split()) > 1}
    put("node_intr_total", kv["intr"])
    put("node_context_switches_total", kv["ctxt"])
    put("node_forks_total", kv["processes"])
    put("node_procs_running", kv["procs_running"])
    put("node_procs_blocked", kv["procs_blocked"])

for line in (read("proc/vmstat") or "").splitlines():
    k, v = line.split()[:2]
    if VMSTAT.match(k):
        put(f"node_vmstat_{k}", v)

for res in ("cpu", "io", "memory"):
    text = read(f"proc/pressure/{res}")
    if text is None:
        continue
    totals = {l.split()[0]: int(l.split("total=")[1]) / 1e6 for l in text.splitlines()}
    put(f"node_pressure_{res}_waiting_seconds_total", totals["some"])
    if res != "cpu":
        put(f"node_pressure_{res}_stalled_seconds_total", totals["full"])

fnr = read("proc/sys/fs/file-nr")
if fnr:
    a, _, m = fnr.split()
    put("node_filefd_allocated", a)
    put("node_filefd_maximum", m)

if read("proc/sys/kernel/random/entropy_avail"):
    put("node_entropy_available_bits", read("proc/sys/kernel/random/entropy_avail").strip())
    put("node_entropy_pool_size_bits", read("proc/sys/kernel/random/poolsize").strip())

if read("proc/sys/net/netfilter/nf_conntrack_count"):
    put("node_nf_conntrack_entries", read("proc/sys/net/netfilter/nf_conntrack_count").strip())
    put("node_nf_conntrack_entries_limit", read("proc/sys/net/netfilter/nf_conntrack_max").strip())
    rows = [l.split() for l in read("proc/net/stat/nf_conntrack").splitlines()]
    for i, col in enumerate(rows[0]):
        if col in ("found", "invalid", "ignore", "insert", "insert_failed", "drop", "early_drop", "search_restart"):
            put(f"node_nf_conntrack_stat_{col}", sum(int(r[i], 16) for r in rows[1:]))

put("node_selinux_enabled", 1 if read("sys/fs/selinux/enforce") else 0)

if read("proc/net/netstat") and read("proc/net/snmp"):
    stats = {}
    for rel in ("proc/net/netstat", "proc/net/snmp"):
        lines = read(rel).splitlines()
        for names, values in zip(lines[0::2], lines[1::2]):
            proto = names.split()[0].rstrip(":")
            for n, v in zip(names.split()[1:], values.split()[1:]):
                stats[f"{proto}_{n}"] = v
    for line in (read("proc/net/snmp6") or "").splitlines():
        key, v = line.split()[:2]
        i = key.find("6")
        if i >= 0:
            stats[f"{key[:i + 1]}_{key[i + 1:]}"] = v
    for k, v in stats.items():
        if NETSTAT.match(k):
            put(f"node_netstat_{k}", v)

for rel in ("proc/net/sockstat", "proc/net/sockstat6"):
    for line in (read(rel) or "").splitlines():
        proto, rest = line.split(":", 1)
        w = rest.split()
        for field, v in zip(w[0::2], w[1::2]):
            if proto == "sockets":
                put("node_sockstat_sockets_used", v)
                continue
            put(f"node_sockstat_{proto}_{field}", v)
            if field == "mem":
                put(f"node_sockstat_{proto}_mem_bytes", int(v) * PAGE_SIZE)

for cpu, line in enumerate((read("proc/net/softnet_stat") or "").splitlines()):
    c = line.split()
    put("node_softnet_processed_total", int(c[0], 16), cpu=cpu)
    put("node_softnet_dropped_total", int(c[1], 16), cpu=cpu)
    put("node_softnet_times_squeezed_total", int(c[2], 16), cpu=cpu)

for ip, rel in (("v4", "proc/net/udp"), ("v6", "proc/net/udp6")):
    text = read(rel)
    if text is None:
        continue
    q = [l.split()[4].split(":") for l in text.splitlines()[1:]]
    put("node_udp_queues", sum(int(t, 16) for t, _ in q), ip=ip, queue="tx")
    put("node_udp_queues", sum(int(r, 16) for _, r in q), ip=ip, queue="rx")

arp = read("proc/net/arp")
if arp:
    devs = [l.split()[5] for l in arp.splitlines()[1:]]
    for d in set(devs):
        put("node_arp_entries", devs.count(d), device=d)

clk = "sys/devices/system/clocksource"
if os.path.isdir(os.path.join(root, clk)):
    for d in sorted(os.listdir(os.path.join(root, clk))):
        n = d[len("clocksource"):]
        for cs in read(f"{clk}/{d}/available_clocksource").split():
            put("node_time_clocksource_available_info", 1, clocksource=cs, device=n)
        put("node_time_clocksource_current_info", 1, clocksource=read(f"{clk}/{d}/current_clocksource").strip(), device=n)

NETCLASS = {"address_assign_type": "addr_assign_type", "carrier": "carrier", "carrier_changes_total": "carrier_changes",
            "carrier_up_changes_total": "carrier_up_count", "carrier_down_changes_total": "carrier_down_count",
            "device_id": "dev_id", "dormant": "dormant", "flags": "flags", "iface_id": "ifindex", "iface_link": "iflink",
            "iface_link_mode": "link_mode", "mtu_bytes": "mtu", "name_assign_type": "name_assign_type",
            "net_dev_group": "netdev_group", "transmit_queue_length": "tx_queue_len", "protocol_type": "type",
            "receive_nohandler_total": "statistics/rx_nohandler"}
net = "sys/class/net"
for dev in sorted(os.listdir(os.path.join(root, net))) if os.path.isdir(os.path.join(root, net)) else []:
    a = lambda f: (read(f"{net}/{dev}/{f}") or "").strip()  # noqa: E731
    put("node_network_up", 1 if a("operstate") == "up" else 0, device=dev)
    put("node_network_info", 1, device=dev, address=a("address"), broadcast=a("broadcast"), duplex=a("duplex"),
        ifalias=a("ifalias"), operstate=a("operstate"))
    for fam, f in NETCLASS.items():
        if a(f):
            put(f"node_network_{fam}", int(a(f), 0), device=dev)
    if a("speed"):
        put("node_network_speed_bytes", int(a("speed")) * 1000 * 1000 / 8, device=dev)

netdev = read("proc/net/dev")
if netdev:
    cols = ["bytes", "packets", "errs", "drop", "fifo", "frame", "compressed", "multicast"]
    tcols = ["bytes", "packets", "errs", "drop", "fifo", "colls", "carrier", "compressed"]
    for line in netdev.splitlines()[2:]:
        dev, rest = line.split(":", 1)
        v = rest.split()
        for i, c in enumerate(cols):
            put(f"node_network_receive_{c}_total", v[i], device=dev.strip())
        for i, c in enumerate(tcols):
            put(f"node_network_transmit_{c}_total", v[8 + i], device=dev.strip())

for line in (read("proc/diskstats") or "").splitlines():
    f = line.split()
    if DISK_EXCLUDE.match(f[2]):
        continue
    d = f[2]
    put("node_disk_info", 1, device=d, major=f[0], minor=f[1], model="", path="", revision="", serial="", wwn="")
    put("node_disk_reads_merged_total", f[4], device=d)
    put("node_disk_writes_merged_total", f[8], device=d)
    put("node_disk_io_now", f[11], device=d)
    put("node_disk_io_time_weighted_seconds_total", int(f[13]) / 1000, device=d)
    if len(f) >= 18:
        put("node_disk_discards_completed_total", f[14], device=d)
        put("node_disk_discards_merged_total", f[15], device=d)
        put("node_disk_discarded_sectors_total", f[16], device=d)
        put("node_disk_discard_time_seconds_total", int(f[17]) / 1000, device=d)
    if len(f) >= 20:
        put("node_disk_flush_requests_total", f[18], device=d)
        put("node_disk_flush_requests_time_seconds_total", int(f[19]) / 1000, device=d)

json.dump(dict(sorted(out.items())), sys.stdout, indent=1)
print()
