"""Is a path on a network file system?

SQLite's locking (and WAL's shared memory) is not reliable over NFS, SMB/CIFS,
sshfs and friends: two kernels writing at once can corrupt the learner
records.  We look the path up in ``/proc/mounts`` (longest mount-point prefix
wins) and sort the file-system type into local, network or unknown.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: file-system types where SQLite locking is not to be trusted
NETWORK_FS = {
    "nfs", "nfs4", "nfsd", "cifs", "smb", "smb2", "smb3", "smbfs", "ncpfs", "9p", "afs", "coda",
    "ceph", "glusterfs", "lustre", "gpfs", "ocfs2", "gfs2", "davfs", "pvfs2", "beegfs", "orangefs",
    "fuse.sshfs", "sshfs", "fuse.glusterfs", "fuse.davfs2", "fuse.rclone", "fuse.s3fs", "fuse.gcsfuse",
    "fuse.cephfs", "fuse.ceph-fuse", "fuse.juicefs", "fuse.goofys", "fuse.mountpoint-s3", "fuse.smbnetfs",
}
#: types known to be local (or local enough for SQLite's locks)
LOCAL_FS = {
    "ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "f2fs", "jfs", "reiserfs", "tmpfs", "ramfs", "overlay",
    "overlayfs", "vfat", "exfat", "ntfs", "ntfs3", "fuseblk", "hfs", "hfsplus", "apfs", "bcachefs",
    "devtmpfs", "squashfs", "iso9660", "virtiofs", "aufs", "nilfs2", "erofs",
}


@dataclass
class MountInfo:
    mount_point: str
    fs_type: str
    device: str

    @property
    def kind(self) -> str:
        """``"network"``, ``"local"`` or ``"unknown"``."""
        t = self.fs_type.lower()
        if t in NETWORK_FS or t.split(".", 1)[0] in {"nfs", "nfs4", "cifs", "smb3"}:
            return "network"
        if t in LOCAL_FS:
            return "local"
        if t.startswith("fuse"):  # any other FUSE file system may be remote
            return "unknown"
        return "unknown"


def _unescape(field: str) -> str:
    """/proc/mounts writes spaces, tabs, newlines and backslashes as octal escapes."""
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and len(field[i + 1:i + 4]) == 3 and field[i + 1:i + 4].isdigit():
            out.append(chr(int(field[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def read_mounts(mounts_file: str | os.PathLike = "/proc/mounts") -> list[MountInfo]:
    try:
        text = Path(mounts_file).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            out.append(MountInfo(_unescape(parts[1]), parts[2], _unescape(parts[0])))
    return out


def _existing(path: Path) -> Path:
    """The absolute path with symlinks resolved in the part that exists (the rest is kept as written)."""
    p = Path(os.path.abspath(path))
    tail: list[str] = []
    while not p.exists() and p != p.parent:
        tail.append(p.name)
        p = p.parent
    return p.resolve().joinpath(*reversed(tail))


def mount_for(path: str | os.PathLike, mounts_file: str | os.PathLike = "/proc/mounts") -> MountInfo | None:
    """The mount holding ``path`` (longest mount-point prefix; the last such mount wins)."""
    target = str(_existing(Path(path)))
    best: MountInfo | None = None
    for m in read_mounts(mounts_file):
        mp = m.mount_point.rstrip("/") or "/"
        if mp == "/" or target == mp or target.startswith(mp + "/"):
            if best is None or len(mp) >= len(best.mount_point.rstrip("/") or "/"):
                best = m
    return best


def fs_kind(path: str | os.PathLike, mounts_file: str | os.PathLike = "/proc/mounts") -> tuple[str, MountInfo | None]:
    m = mount_for(path, mounts_file)
    return (m.kind if m else "unknown"), m
