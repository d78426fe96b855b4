import ArgumentParser

/// sysexits(3) codes an MTA understands when it runs `outbox bounces ingest` as a pipe:
/// 75 makes it keep the message and retry; 65 and 66 make it bounce or drop it.
enum SysExit {
    /// `EX_DATAERR`: the input is not a message (empty, oversized).
    static let dataError = ExitCode(65)
    /// `EX_NOINPUT`: the input file cannot be read.
    static let noInput = ExitCode(66)
    /// `EX_TEMPFAIL`: nothing was recorded; try again later.
    static let tempFail = ExitCode(75)
}
