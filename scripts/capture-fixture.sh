#!/bin/sh
# capture-fixture.sh DEST
#
# Copy the subset of a live machine's procfs/sysfs that the system-stats agent
# reads into DEST/proc and DEST/sys (plus DEST/etc/os-release), so that parser
# tests and the end-to-end test can point SYSTEM_STATS_PROCFS/SYSTEM_STATS_SYSFS
# at the tree.
#
#  * Regular files are copied by content with `cat` (procfs files report size 0,
#    so cp would produce empty files).  A file whose read fails (e.g. `speed`
#    on a down/virtual interface gives EINVAL) is omitted, as the agent must
#    treat "unreadable" and "absent" the same way.
#  * Symlinked sysfs directories (/sys/class/net/<if>, /sys/block/<dev>,
#    cpuN/cpufreq -> policyM, ...) become real directories holding only the
#    files listed below.
#  * Nothing huge or private is copied: no /proc/<pid>, no kcore, no environ,
#    no /proc/self.  Every copied file is capped at MAX_BYTES.
#
# Environment:
#   CAPTURE_PROCFS           source procfs root   (default /proc)
#   CAPTURE_SYSFS            source sysfs root    (default /sys)
#   CAPTURE_ETC              source /etc          (default /etc)
#   CAPTURE_EXCLUDE_MOUNTS   extended regex; proc/mounts lines whose mount
#                            point matches are dropped (default '^/run/user/')
#   CAPTURE_NOTE             free text added to DEST/README.md
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 DEST" >&2
    exit 2
fi

DEST=$1
PROCFS=${CAPTURE_PROCFS:-/proc}
SYSFS=${CAPTURE_SYSFS:-/sys}
ETC=${CAPTURE_ETC:-/etc}
EXCLUDE_MOUNTS=${CAPTURE_EXCLUDE_MOUNTS:-'^/run/user/'}
MAX_BYTES=262144

ABSENT_LIST=$(mktemp)
trap 'rm -f "$ABSENT_LIST"' EXIT

absent() {
    echo "$1" >>"$ABSENT_LIST"
}

# copy SRC REL: cat SRC into DEST/REL; omit on any read error.
copy() {
    src=$1
    rel=$2
    [ -e "$src" ] || return 0
    [ -f "$src" ] || return 0
    out="$DEST/$rel"
    mkdir -p "$(dirname "$out")"
    if head -c "$((MAX_BYTES + 1))" "$src" >"$out.tmp" 2>/dev/null; then
        size=$(wc -c <"$out.tmp")
        if [ "$size" -gt "$MAX_BYTES" ]; then
            echo "capture: skipping $src (larger than $MAX_BYTES bytes)" >&2
            rm -f "$out.tmp"
            return 0
        fi
        mv "$out.tmp" "$out"
    else
        rm -f "$out.tmp"
        echo "capture: omitting $src (read failed)" >&2
    fi
}

# copy a file that lives at the same relative path under procfs
p() {
    if [ -e "$PROCFS/$1" ]; then copy "$PROCFS/$1" "proc/$1"; else absent "proc/$1"; fi
}

# copy a file that lives at the same relative path under sysfs
s() {
    copy "$SYSFS/$1" "sys/$1"
}

if [ -e "$DEST/proc" ] || [ -e "$DEST/sys" ]; then
    echo "capture: $DEST already contains proc/ or sys/; remove them first" >&2
    exit 1
fi
mkdir -p "$DEST/proc" "$DEST/sys"

# ---------------------------------------------------------------- procfs
for f in stat meminfo vmstat diskstats uptime loadavg cpuinfo \
         net/dev net/route net/if_inet6 \
         sys/kernel/hostname sys/kernel/osrelease sys/kernel/version sys/kernel/ostype; do
    p "$f"
done

# node_exporter's extra collectors (/metrics only); absent sources stay absent
for f in pressure/cpu pressure/io pressure/memory \
         sys/fs/file-nr sys/kernel/random/entropy_avail sys/kernel/random/poolsize \
         sys/net/netfilter/nf_conntrack_count sys/net/netfilter/nf_conntrack_max net/stat/nf_conntrack \
         net/netstat net/snmp net/snmp6 net/sockstat net/sockstat6 net/softnet_stat \
         net/udp net/udp6 net/arp; do
    p "$f"
done

# proc/mounts (never self/mounts); optionally drop private mount points
if [ -r "$PROCFS/mounts" ]; then
    awk -v re="$EXCLUDE_MOUNTS" 're == "" || $2 !~ re' "$PROCFS/mounts" >"$DEST/proc/mounts"
else
    absent "proc/mounts"
fi

# device-tree model: binary (NUL-terminated); cat preserves bytes
if [ -e "$PROCFS/device-tree/model" ]; then
    copy "$PROCFS/device-tree/model" "proc/device-tree/model"
else
    absent "proc/device-tree/model"
fi

# ---------------------------------------------------------------- cpu
for f in online present possible; do
    if [ -e "$SYSFS/devices/system/cpu/$f" ]; then s "devices/system/cpu/$f"; else absent "sys/devices/system/cpu/$f"; fi
done

have_cpufreq=0
for cpu in "$SYSFS"/devices/system/cpu/cpu[0-9]*; do
    [ -d "$cpu" ] || continue
    n=${cpu##*/}
    for f in core_id physical_package_id core_cpus_list thread_siblings_list; do
        s "devices/system/cpu/$n/topology/$f"
    done
    for f in scaling_cur_freq scaling_min_freq scaling_max_freq cpuinfo_min_freq cpuinfo_max_freq; do
        if [ -e "$cpu/cpufreq/$f" ]; then have_cpufreq=1; fi
        s "devices/system/cpu/$n/cpufreq/$f"
    done
done
have_policy=0
for pol in "$SYSFS"/devices/system/cpu/cpufreq/policy[0-9]*; do
    [ -d "$pol" ] || continue
    have_policy=1
    n=${pol##*/}
    for f in scaling_cur_freq scaling_min_freq scaling_max_freq cpuinfo_min_freq cpuinfo_max_freq; do
        s "devices/system/cpu/cpufreq/$n/$f"
    done
done
[ $have_cpufreq = 1 ] || absent "sys/devices/system/cpu/cpu*/cpufreq/*"
[ $have_policy = 1 ] || absent "sys/devices/system/cpu/cpufreq/policy*"

# ---------------------------------------------------------------- block
# /sys/block lists whole disks only (partitions live below them).
n_block=0
for dev in "$SYSFS"/block/*; do
    [ -e "$dev" ] || continue
    n_block=$((n_block + 1))
    name=${dev##*/}
    mkdir -p "$DEST/sys/block/$name"
    s "block/$name/dev"
    s "block/$name/size"
    s "block/$name/queue/logical_block_size"
done
[ $n_block -gt 0 ] || absent "sys/block/*"

# ---------------------------------------------------------------- net
n_net=0
for ifc in "$SYSFS"/class/net/*; do
    [ -e "$ifc" ] || continue
    [ -d "$ifc" ] || continue   # skips bonding_masters and friends
    n_net=$((n_net + 1))
    name=${ifc##*/}
    mkdir -p "$DEST/sys/class/net/$name"
    for f in operstate speed duplex mtu address type flags carrier \
             addr_assign_type broadcast carrier_changes carrier_down_count carrier_up_count \
             dev_id dormant ifalias ifindex iflink link_mode name_assign_type netdev_group \
             tx_queue_len statistics/rx_nohandler; do
        s "class/net/$name/$f"
    done
done
[ $n_net -gt 0 ] || absent "sys/class/net/*"

# ---------------------------------------------------------------- clocksource
n_cs=0
for cs in "$SYSFS"/devices/system/clocksource/clocksource[0-9]*; do
    [ -d "$cs" ] || continue
    n_cs=$((n_cs + 1))
    name=${cs##*/}
    s "devices/system/clocksource/$name/available_clocksource"
    s "devices/system/clocksource/$name/current_clocksource"
done
[ $n_cs -gt 0 ] || absent "sys/devices/system/clocksource/clocksource*"
if [ -e "$SYSFS/fs/selinux/enforce" ]; then s "fs/selinux/enforce"; else absent "sys/fs/selinux/enforce"; fi

# ---------------------------------------------------------------- thermal
n_tz=0
for tz in "$SYSFS"/class/thermal/thermal_zone*; do
    [ -e "$tz" ] || continue
    n_tz=$((n_tz + 1))
    name=${tz##*/}
    s "class/thermal/$name/type"
    s "class/thermal/$name/temp"
    for f in "$tz"/trip_point_*_temp "$tz"/trip_point_*_type; do
        [ -e "$f" ] || continue
        s "class/thermal/$name/${f##*/}"
    done
done
[ $n_tz -gt 0 ] || absent "sys/class/thermal/thermal_zone*"

n_hw=0
for hw in "$SYSFS"/class/hwmon/hwmon*; do
    [ -e "$hw" ] || continue
    n_hw=$((n_hw + 1))
    name=${hw##*/}
    s "class/hwmon/$name/name"
    for f in "$hw"/temp*_input "$hw"/temp*_label "$hw"/temp*_max "$hw"/temp*_crit "$hw"/in0_lcrit_alarm; do
        [ -e "$f" ] || continue
        s "class/hwmon/$name/${f##*/}"
    done
done
[ $n_hw -gt 0 ] || absent "sys/class/hwmon/hwmon*"

# ---------------------------------------------------------------- platform
if [ -d "$SYSFS/class/dmi/id" ]; then
    for f in product_name sys_vendor board_name; do
        s "class/dmi/id/$f"
    done
else
    absent "sys/class/dmi/id"
fi

if [ -e "$SYSFS/devices/platform/soc/soc:firmware/get_throttled" ]; then
    s "devices/platform/soc/soc:firmware/get_throttled"
else
    absent "sys/devices/platform/soc/soc:firmware/get_throttled"
fi

n_mmc=0
for card in "$SYSFS"/class/mmc_host/mmc0/mmc0:*; do
    [ -d "$card" ] || continue
    n_mmc=$((n_mmc + 1))
    name=${card##*/}
    for f in name life_time pre_eol_info type; do
        s "class/mmc_host/mmc0/$name/$f"
    done
done
[ $n_mmc -gt 0 ] || absent "sys/class/mmc_host/mmc0/mmc0:*"

# ext2/3/4 error counters (storage health), one directory per mounted device
for fs in "$SYSFS"/fs/ext4/*; do
    [ -f "$fs/errors_count" ] || continue
    for f in errors_count first_error_time last_error_time; do
        s "fs/ext4/${fs##*/}/$f"
    done
done

# ---------------------------------------------------------------- etc
if [ -e "$ETC/os-release" ]; then
    copy "$ETC/os-release" "etc/os-release"
else
    absent "etc/os-release"
fi

# ---------------------------------------------------------------- README
{
    echo "# Captured procfs/sysfs fixture"
    echo
    echo "Captured by \`scripts/capture-fixture.sh\` on $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "from a live machine: \`$(uname -srm)\`, hostname \`$(cat "$PROCFS/sys/kernel/hostname" 2>/dev/null || echo '?')\`"
    if [ -r "$ETC/os-release" ]; then
        echo "running $(. "$ETC/os-release" && echo "${PRETTY_NAME:-unknown OS}")."
    fi
    echo
    echo "Source roots: procfs \`$PROCFS\`, sysfs \`$SYSFS\`."
    if [ -n "$EXCLUDE_MOUNTS" ]; then
        echo "proc/mounts lines whose mount point matches \`$EXCLUDE_MOUNTS\` were dropped."
    fi
    if [ -n "${CAPTURE_NOTE:-}" ]; then
        echo
        echo "$CAPTURE_NOTE"
    fi
    echo
    echo "## Absent on the source machine"
    echo
    if [ -s "$ABSENT_LIST" ]; then
        sed 's/^/- /' "$ABSENT_LIST"
    else
        echo "(nothing)"
    fi
    echo
    echo "Files whose read failed (e.g. \`speed\`/\`duplex\` on virtual interfaces, EINVAL)"
    echo "were omitted rather than written empty."
} >"$DEST/README.md"

echo "capture: wrote $(find "$DEST" -type f | wc -l) files under $DEST" >&2
