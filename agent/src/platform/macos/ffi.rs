//! The only unsafe code of the macOS collector: Mach host statistics
//! (`host_processor_info`, `host_statistics64`), getloadavg(3) and the
//! NET_RT_IFLIST2 sysctl. Each function copies the kernel's answer into owned
//! Rust values before returning; parsing happens in `macos_parse`.

// libc marks mach_host_self/mach_task_self "use the mach2 crate"; the
// bindings are correct, and mach2 would be a new dependency for two calls.
#![allow(deprecated)]

use crate::platform::macos_parse::{ifmsg, CoreTicks, VmPages, XSW_USAGE_LEN};
use std::ptr;

// The byte offsets `macos_parse` reads, checked against libc's definitions
// when this file compiles (i.e. on macOS).
const _: () = {
    use std::mem::{offset_of, size_of};
    assert!(size_of::<libc::if_msghdr2>() == ifmsg::IF_MSGHDR2_LEN);
    assert!(offset_of!(libc::if_msghdr2, ifm_type) == ifmsg::OFF_TYPE);
    assert!(offset_of!(libc::if_msghdr2, ifm_addrs) == ifmsg::OFF_ADDRS);
    assert!(offset_of!(libc::if_msghdr2, ifm_flags) == ifmsg::OFF_FLAGS);
    assert!(offset_of!(libc::if_msghdr2, ifm_index) == ifmsg::OFF_INDEX);
    assert!(offset_of!(libc::if_msghdr2, ifm_data) == ifmsg::OFF_DATA);
    assert!(offset_of!(libc::if_data64, ifi_mtu) == ifmsg::D_MTU);
    assert!(offset_of!(libc::if_data64, ifi_baudrate) == ifmsg::D_BAUDRATE);
    assert!(offset_of!(libc::if_data64, ifi_ipackets) == ifmsg::D_IPACKETS);
    assert!(offset_of!(libc::if_data64, ifi_ierrors) == ifmsg::D_IERRORS);
    assert!(offset_of!(libc::if_data64, ifi_opackets) == ifmsg::D_OPACKETS);
    assert!(offset_of!(libc::if_data64, ifi_oerrors) == ifmsg::D_OERRORS);
    assert!(offset_of!(libc::if_data64, ifi_ibytes) == ifmsg::D_IBYTES);
    assert!(offset_of!(libc::if_data64, ifi_obytes) == ifmsg::D_OBYTES);
    assert!(offset_of!(libc::if_data64, ifi_iqdrops) == ifmsg::D_IQDROPS);
    assert!(offset_of!(libc::sockaddr_dl, sdl_family) == ifmsg::SDL_FAMILY);
    assert!(offset_of!(libc::sockaddr_dl, sdl_nlen) == ifmsg::SDL_NLEN);
    assert!(offset_of!(libc::sockaddr_dl, sdl_data) == ifmsg::SDL_DATA);
    assert!(libc::RTM_IFINFO2 == ifmsg::RTM_IFINFO2 as libc::c_int);
    assert!(libc::RTA_IFP == ifmsg::RTA_IFP);
    assert!(libc::AF_LINK == ifmsg::AF_LINK as libc::c_int);
    assert!(libc::IFF_UP == ifmsg::IFF_UP);
    assert!(libc::IFF_LOOPBACK == ifmsg::IFF_LOOPBACK);
    assert!(libc::IFF_RUNNING == ifmsg::IFF_RUNNING);
    assert!(size_of::<libc::xsw_usage>() == XSW_USAGE_LEN);
    assert!(size_of::<libc::timeval>() == 16);
    // CoreTicks order: user, system, idle, nice
    assert!(libc::CPU_STATE_USER == 0 && libc::CPU_STATE_SYSTEM == 1);
    assert!(libc::CPU_STATE_IDLE == 2 && libc::CPU_STATE_NICE == 3);
    assert!(libc::CPU_STATE_MAX == 4);
};

/// A send right to this host's port, taken once per collector and kept for
/// the life of the process (each mach_host_self() call adds a user reference).
pub fn host_port() -> libc::mach_port_t {
    // SAFETY: mach_host_self has no preconditions and cannot fail in a way
    // that makes the return value unsafe to use (MACH_PORT_NULL just makes
    // the host calls below return an error).
    unsafe { libc::mach_host_self() }
}

/// Cumulative ticks of every logical CPU (PROCESSOR_CPU_LOAD_INFO).
pub fn cpu_load_ticks(host: libc::mach_port_t) -> Option<Vec<CoreTicks>> {
    let mut cpus: libc::natural_t = 0;
    let mut info: libc::processor_info_array_t = ptr::null_mut();
    let mut info_len: libc::mach_msg_type_number_t = 0;
    // SAFETY: each out-pointer refers to a live local of exactly the type
    // the prototype expects; nothing is read from them before the call.
    let kr = unsafe {
        libc::host_processor_info(
            host,
            libc::PROCESSOR_CPU_LOAD_INFO,
            &mut cpus,
            &mut info,
            &mut info_len,
        )
    };
    if kr != libc::KERN_SUCCESS || info.is_null() {
        return None;
    }
    let len = info_len as usize;
    let ticks: Vec<CoreTicks> = {
        // SAFETY: on success the kernel mapped `info_len` integer_t's of
        // out-of-line memory at `info` into this task; we read only that
        // range, and the slice does not outlive this block.
        let ints = unsafe { std::slice::from_raw_parts(info.cast_const(), len) };
        ints.chunks_exact(libc::CPU_STATE_MAX as usize)
            .take(cpus as usize)
            .map(|c| [c[0] as u32, c[1] as u32, c[2] as u32, c[3] as u32])
            .collect()
    };
    // SAFETY: `info`/`len` are exactly the region host_processor_info handed
    // to this task; it is released once and never touched again.
    unsafe {
        libc::vm_deallocate(
            libc::mach_task_self(),
            info as libc::vm_address_t,
            len * std::mem::size_of::<libc::integer_t>(),
        );
    }
    Some(ticks)
}

/// Page counts of the virtual memory system (HOST_VM_INFO64).
pub fn vm_pages(host: libc::mach_port_t) -> Option<VmPages> {
    let mut stats = std::mem::MaybeUninit::<libc::vm_statistics64>::zeroed();
    let mut count = libc::HOST_VM_INFO64_COUNT;
    // SAFETY: `stats` is a zeroed vm_statistics64, i.e. HOST_VM_INFO64_COUNT
    // integer_t's; the kernel writes at most `count` of them and lowers
    // `count` to what it wrote.
    let kr = unsafe {
        libc::host_statistics64(
            host,
            libc::HOST_VM_INFO64,
            stats.as_mut_ptr().cast::<libc::integer_t>(),
            &mut count,
        )
    };
    if kr != libc::KERN_SUCCESS {
        return None;
    }
    // SAFETY: an all-integer struct that started zeroed: every bit pattern
    // is a valid value, whether or not the kernel filled every field.
    let s = unsafe { stats.assume_init() };
    Some(VmPages {
        free: s.free_count as u64,
        active: s.active_count as u64,
        inactive: s.inactive_count as u64,
        wired: s.wire_count as u64,
        speculative: s.speculative_count as u64,
        pageins: s.pageins,
        pageouts: s.pageouts,
    })
}

/// getloadavg(3): the 1, 5 and 15 minute load averages.
pub fn load_average() -> Option<[f64; 3]> {
    let mut v = [0f64; 3];
    // SAFETY: `v` has room for the 3 doubles requested.
    let n = unsafe { libc::getloadavg(v.as_mut_ptr(), 3) };
    (n == 3).then_some(v)
}

/// The raw NET_RT_IFLIST2 routing-socket dump: one RTM_IFINFO2 message
/// (if_msghdr2 + if_data64 + sockaddr_dl) per interface, plus address messages.
pub fn iflist2() -> Option<Vec<u8>> {
    let mut mib = [libc::CTL_NET, libc::PF_ROUTE, 0, 0, libc::NET_RT_IFLIST2, 0];
    // interfaces can appear between the size query and the read: retry
    for _ in 0..3 {
        let mut len: libc::size_t = 0;
        // SAFETY: `mib` holds mib.len() ints; a null `oldp` asks only for
        // the size, written to the live local `len`.
        let rc = unsafe {
            libc::sysctl(
                mib.as_mut_ptr(),
                mib.len() as libc::c_uint,
                ptr::null_mut(),
                &mut len,
                ptr::null_mut(),
                0,
            )
        };
        if rc != 0 {
            return None;
        }
        let mut buf = vec![0u8; len + len / 4 + 1024];
        let mut got: libc::size_t = buf.len();
        // SAFETY: `buf` is writable for `got` bytes; the kernel writes at
        // most that many and stores the count written in `got`.
        let rc = unsafe {
            libc::sysctl(
                mib.as_mut_ptr(),
                mib.len() as libc::c_uint,
                buf.as_mut_ptr().cast::<libc::c_void>(),
                &mut got,
                ptr::null_mut(),
                0,
            )
        };
        if rc == 0 {
            buf.truncate(got.min(buf.len()));
            return Some(buf);
        }
        if std::io::Error::last_os_error().raw_os_error() != Some(libc::ENOMEM) {
            return None;
        }
    }
    None
}
