# shellcheck shell=bash
# qemu helpers of the image boot test (sourced): boot a copy of the image under
# qemu-system-aarch64 (-M virt or -M raspi3b), wait for things, power off.
# Every boot keeps its serial console log in $TW/<name>.console.log.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The disks are throwaway copies: cache=unsafe lets the guest's flushes (dpkg
# syncs every file it unpacks) end in the host's page cache, not on its disk.

# boot_virt NAME IMG: TCG virt machine, kernel+initrd from the image's FAT
# partition ($TW/boot/), user-mode net; 127.0.0.1:HTTP_PORT -> :5001, SSH_PORT -> :22.
boot_virt() {
  local name=$1 img=$2
  HTTP_PORT=$(free_port); SSH_PORT=$(free_port)
  QEMU_T0=$EPOCHREALTIME
  qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2 -m 1024 -display none -monitor none \
    -serial "file:$TW/$name.console.log" -no-reboot \
    -kernel "$TW/boot/vmlinuz" -initrd "$TW/boot/initrd.img" \
    -append "root=LABEL=RASPIROOT rw rootwait console=ttyAMA0 net.ifnames=0" \
    -drive "file=$img,if=virtio,format=raw,cache=unsafe" \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$HTTP_PORT-:5001,hostfwd=tcp:127.0.0.1:$SSH_PORT-:22" \
    -device virtio-net-pci,netdev=n0,romfile= &
  QEMU_PID=$!
  log "$name: qemu -M virt pid $QEMU_PID, http 127.0.0.1:$HTTP_PORT, ssh 127.0.0.1:$SSH_PORT"
}

# boot_raspi3b NAME IMG: the Pi 3's own dtb and kernel command line from the image,
# SD card on the emulated sdhost; both UARTs logged (the image's console is ttyS1).
boot_raspi3b() {
  local name=$1 img=$2 cmdline
  cmdline=$(cat "$TW/boot/cmdline.txt")
  QEMU_T0=$EPOCHREALTIME
  qemu-system-aarch64 -M raspi3b -m 1024 -display none -monitor none -no-reboot \
    -serial "file:$TW/$name.ttyAMA0.log" -serial "file:$TW/$name.console.log" \
    -kernel "$TW/boot/vmlinuz" -initrd "$TW/boot/initrd.img" -dtb "$TW/boot/bcm2837-rpi-3-b.dtb" \
    -append "$cmdline console=ttyAMA0,115200" \
    -drive "file=$img,if=sd,format=raw,cache=unsafe" &
  QEMU_PID=$!
  log "$name: qemu -M raspi3b pid $QEMU_PID"
}

qemu_running() { kill -0 "$QEMU_PID" 2>/dev/null; }

# wait_until SECONDS DESCRIPTION CMD...: polls CMD every second.
wait_until() {
  local limit=$1 what=$2; shift 2
  local end=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    qemu_running || { log "qemu exited while waiting for $what"; return 1; }
    [ "$(date +%s)" -lt "$end" ] || { log "timeout (${limit}s) waiting for $what"; return 1; }
    sleep 1
  done
}

# stop_qemu: kill the current qemu if still running (on failure paths).
stop_qemu() {
  if [ -n "${QEMU_PID:-}" ] && qemu_running; then
    kill "$QEMU_PID" 2>/dev/null || true
    wait "$QEMU_PID" 2>/dev/null || true
  fi
  QEMU_PID=
}

GUEST_SSH=(ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes
           -o ConnectTimeout=5 -o LogLevel=ERROR)
# in_guest CMD: runs CMD (a shell string) as root in the guest over SSH as admin.
in_guest() { "${GUEST_SSH[@]}" -i "$TW/id_ed25519" -p "$SSH_PORT" admin@127.0.0.1 sudo sh -c "$(printf '%q' "$1")"; }

# poweroff_guest: `systemctl poweroff` and wait for qemu to exit; prints seconds.
poweroff_guest() {
  local t=$EPOCHREALTIME
  in_guest 'systemctl poweroff' || true
  local end=$(( $(date +%s) + 120 ))
  while qemu_running; do
    [ "$(date +%s)" -lt "$end" ] || { stop_qemu; return 1; }
    sleep 0.5
  done
  wait "$QEMU_PID" 2>/dev/null || true
  QEMU_PID=
  POWEROFF_S=$(elapsed "$t")
}
