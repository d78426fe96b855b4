import Foundation
import Synchronization

/// ProgressLine of long work (enqueue, `serve --once`, `bounces poll`) on stderr — only when
/// stderr is a terminal, so scripts and ERPs see exactly the output they always did. One
/// line, rewritten in place at most ``interval`` apart: count, rate and, when the total is
/// known, the remaining time; ``finish()`` clears it.
final class ProgressLine: Sendable {
    private struct State: Sendable {
        var done = 0
        var total: Int?
        var lastDrawn: ContinuousClock.Instant?
        var drew = false
        var polling = false
        var finished = false
    }

    private let label: String
    private let unit: String
    private let started = ContinuousClock.now
    private let state: Mutex<State>
    private let write: @Sendable (String) -> Void

    /// At most four updates a second.
    static let interval: Duration = .milliseconds(250)

    /// Nil when stderr is not a terminal (nothing to show). `unit` names what is counted: `messages`.
    static func onTerminal(_ label: String, unit: String, total: Int? = nil) -> ProgressLine? {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        return ProgressLine(label, unit: unit, total: total) { FileHandle.standardError.write(Data($0.utf8)) }
    }

    init(_ label: String, unit: String, total: Int?, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.unit = unit
        self.state = Mutex(State(total: total))
        self.write = write
    }

    /// Counts `count` more done; redraws when the last drawing is old enough.
    func advance(by count: Int = 1) { update { $0.done += count } }

    /// Sets the count done (for work counted elsewhere, e.g. in the database).
    func set(done: Int, total: Int? = nil) {
        update {
            $0.done = done
            if let total { $0.total = total }
        }
    }

    /// Reads the count done with `read` every ``interval`` on a thread of its own, until
    /// ``finish()``: for work that is counted where it happens (the database).
    func poll(_ read: @escaping @Sendable () -> Int?) {
        state.withLock { $0.polling = true }
        Thread.detachNewThread { [self] in
            while state.withLock({ $0.polling }) {
                Thread.sleep(forTimeInterval: 0.25)
                if let done = read() { set(done: done) }
            }
        }
    }

    /// Stops polling and clears the line (the command prints its own summary after).
    func finish() {
        state.withLock { state in
            state.polling = false
            state.finished = true
            if state.drew { write("\r\u{1B}[K") }
            state.drew = false
        }
    }

    private func update(_ change: (inout State) -> Void) {
        let now = ContinuousClock.now
        let line: String? = state.withLock { state in
            change(&state)
            guard !state.finished, state.lastDrawn.map({ now - $0 >= Self.interval }) ?? true else { return nil }
            state.lastDrawn = now
            state.drew = true
            return render(state, elapsed: now - started)
        }
        if let line { write("\r\u{1B}[K" + line) }
    }

    private func render(_ state: State, elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0.05 ? Double(state.done) / seconds : 0
        var line = "\(label): \(state.done.formatted())"
        if let total = state.total { line += " of \(total.formatted())" }
        line += " \(unit)"
        if rate > 0 { line += String(format: ", %.0f/s", rate) }
        if let total = state.total, rate > 0, total > state.done {
            line += ", about \(Formatting.age(Int64(Double(total - state.done) / rate * 1000))) left"
        }
        return line
    }
}
