import Foundation

/// Whether the service user and a member of its group (an operator running the CLI) can
/// read and write the database, its `-wal`/`-shm` files and enter its directory, judged from
/// the owners and mode bits (so the answer is the same whoever runs doctor, root included).
/// SQLite in WAL mode needs write access to `-shm` even to read, hence read *and* write.
enum DatabaseAccess {
    static func check(path: String, serviceUser: String) -> DoctorFinding {
        guard let user = getpwnam(serviceUser) else {
            return .warning("database access", "there is no user \(serviceUser) on this machine, so only the current user's access was checked"
                + (access(path, R_OK | W_OK) == 0 ? " (read and write: yes)" : " (read and write: NO)"),
                fix: "install the package (or run systemd-sysusers) to create the service user and group \(serviceUser)")
        }
        let uid = user.pointee.pw_uid, gid = user.pointee.pw_gid
        let group = getgrgid(gid).map { String(cString: $0.pointee.gr_name) } ?? String(gid)
        let directory = (path as NSString).deletingLastPathComponent
        var faults: [String] = []
        var fixes: [String] = []
        if let info = status(directory) {
            let daemon = allows(info, uid: uid, gid: gid, bits: 0o3), member = allows(info, uid: nil, gid: gid, bits: 0o1)
            if !daemon || !member {
                faults.append("\(directory) is \(describe(info)): " + (!daemon ? "\(serviceUser) cannot create files in it" : "members of \(group) cannot enter it"))
                fixes.append("chown \(serviceUser):\(group) \(directory) && chmod 0750 \(directory)")
            }
        }
        for file in [path, path + "-wal", path + "-shm"] {
            guard let info = status(file) else { continue }
            let daemon = allows(info, uid: uid, gid: gid, bits: 0o6), member = allows(info, uid: nil, gid: gid, bits: 0o6)
            guard !daemon || !member else { continue }
            faults.append("\(file) is \(describe(info)): " + (!daemon ? "\(serviceUser) cannot read and write it" : "members of \(group) cannot read and write it"))
            fixes.append("chown \(serviceUser):\(group) \(file) && chmod 0660 \(file)")
        }
        guard faults.isEmpty else {
            return .problem("database access", faults.joined(separator: "; "), fix: fixes.joined(separator: "; ")
                + " (the service creates its files 0660 under UMask=0007; a file made by another user or umask keeps its own owner and mode)")
        }
        return .ok("database access", "\(serviceUser) and members of group \(group) can read and write \(path)")
    }

    private static func status(_ path: String) -> stat? {
        var info = stat()
        return stat(path, &info) == 0 ? info : nil
    }

    /// Whether the mode grants `bits` (in the `rwx` = 4/2/1 sense) to the user `uid` (nil:
    /// a user who is neither the owner nor root, in group `gid`).
    private static func allows(_ info: stat, uid: uid_t?, gid: gid_t, bits: mode_t) -> Bool {
        let mode = info.st_mode
        if let uid, info.st_uid == uid { return (mode >> 6) & bits == bits }
        if info.st_gid == gid { return (mode >> 3) & bits == bits }
        return mode & bits == bits
    }

    private static func describe(_ info: stat) -> String {
        let owner = getpwuid(info.st_uid).map { String(cString: $0.pointee.pw_name) } ?? String(info.st_uid)
        let group = getgrgid(info.st_gid).map { String(cString: $0.pointee.gr_name) } ?? String(info.st_gid)
        return String(format: "%04o", info.st_mode & 0o7777) + " \(owner):\(group)"
    }
}
