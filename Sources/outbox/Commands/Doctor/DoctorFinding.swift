import Foundation

/// One line of `outbox doctor`: what was checked, how it stands, and — when it is not
/// fine — what to do, in plain words.
struct DoctorFinding: Sendable, Hashable, Codable {
    /// How a check stands. The worst finding sets doctor's exit status.
    enum Status: String, Sendable, Hashable, Codable, Comparable {
        case ok, warning, problem

        /// 0 ok, 1 warning, 2 problem.
        var exitStatus: Int32 {
            switch self {
            case .ok: 0
            case .warning: 1
            case .problem: 2
            }
        }

        static func < (lhs: Status, rhs: Status) -> Bool { lhs.exitStatus < rhs.exitStatus }
    }

    /// A stable name for monitoring: `configuration`, `database`, `credential relay-password`, `profile mari`, …
    let check: String
    let status: Status
    /// What was found.
    let detail: String
    /// What to do about it; nil when nothing needs doing.
    let fix: String?

    static func ok(_ check: String, _ detail: String) -> DoctorFinding {
        DoctorFinding(check: check, status: .ok, detail: detail, fix: nil)
    }

    static func warning(_ check: String, _ detail: String, fix: String?) -> DoctorFinding {
        DoctorFinding(check: check, status: .warning, detail: detail, fix: fix)
    }

    static func problem(_ check: String, _ detail: String, fix: String?) -> DoctorFinding {
        DoctorFinding(check: check, status: .problem, detail: detail, fix: fix)
    }

    /// `problem  credential relay-password: … — fix: …` (status padded so the checks line up).
    var line: String {
        let label = status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
        return "\(label) \(check): \(detail)" + (fix.map { " — fix: \($0)" } ?? "")
    }
}
