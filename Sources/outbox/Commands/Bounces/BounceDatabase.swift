import ArgumentParser
import OutboxStore

/// Opening and writing the database for the bounce doors, where every failure to record
/// is temporary (exit 75) so the message is kept and offered again.
enum BounceDatabase {
    static func open(_ options: DatabaseOptions, busyTimeout: Double) throws -> OutboxDatabase {
        let path = DatabaseLocation.resolve(explicit: options.path)
        return try temporary { try OutboxDatabase(path: path, busyTimeout: busyTimeout) }
    }

    static func temporary<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            Terminal.error("\(error.reason)\nnot recorded (temporary failure, exit 75: try again later)")
            throw SysExit.tempFail
        } catch {
            Terminal.error("\(error)\nnot recorded (temporary failure, exit 75: try again later)")
            throw SysExit.tempFail
        }
    }
}
