import Foundation
import OutboxCore
import OutboxStore
import OutboxTestSupport
import Synchronization
import Testing
@testable import OutboxDaemon

/// ``OutboxService`` in-process against a real temporary database and a real loopback SMTP
/// server (aiosmtpd): start, delivery, reload, graceful stop, configuration holds, watchdog.
@Suite struct OutboxServiceTests {
    @Test func startDeliverReloadAndStopGracefully() throws {
        let outbox = try ServiceOutbox()
        try withTestSMTPServer { server in
            try outbox.setProfile("billing", port: server.port)
            try outbox.enqueue(owner: "billing", to: ["a@example.net", "b@example.net", "c@example.net"])
            let service = OutboxService(database: outbox.database, settings: ServiceSettings(delivery: ServiceOutbox.delivery()),
                                        watchdogInterval: nil)
            try service.start()
            #expect(try ServiceOutbox.wait(20) { try outbox.database.status().totals["sent", default: 0] == 3 })

            // Reload with other settings while running; delivery goes on with them.
            try service.reload(ServiceSettings(delivery: ServiceOutbox.delivery(workers: 3)))
            try outbox.enqueue(owner: "billing", to: ["d@example.net", "e@example.net"])
            #expect(try ServiceOutbox.wait(20) { try outbox.database.status().totals["sent", default: 0] == 5 })

            let summary = service.stop()
            #expect(summary.sent == 2, "the reloaded engine's figures: \(summary)")
            #expect(try server.messages().count == 5)
            // A clean stop checkpoints and closes: SQLite removed the -wal and -shm files.
            #expect(!FileManager.default.fileExists(atPath: outbox.path + "-wal"))
            #expect(!FileManager.default.fileExists(atPath: outbox.path + "-shm"))
            #expect(try outbox.totals()["sent"] == 5)
        }
    }

    @Test func aHoldForNoRelayEndsWhenAReloadConfiguresTheRelay() throws {
        let outbox = try ServiceOutbox()
        try withTestSMTPServer { server in
            try outbox.setProfile("sales", mode: .system)
            _ = try outbox.database.storeDKIMKey(domain: "firma.example", selector: "t", key: .generate(.ed25519SHA256), now: 0)  // system mode signs
            try outbox.enqueue(owner: "sales", to: ["k@example.net"])
            let service = OutboxService(database: outbox.database, settings: ServiceSettings(delivery: ServiceOutbox.delivery()),
                                        watchdogInterval: nil)
            try service.start()
            defer { service.stop() }
            #expect(try ServiceOutbox.wait(10) { try outbox.database.profile(owner: "sales")?.heldUntil != nil })

            var withRelay = ServiceOutbox.delivery()
            withRelay.systemRelay.host = "127.0.0.1"
            withRelay.systemRelay.port = server.port
            withRelay.systemRelay.tls = TLSMode.none
            try service.reload(ServiceSettings(delivery: withRelay))
            #expect(try ServiceOutbox.wait(15) { try outbox.database.status().totals["sent", default: 0] == 1 })
            #expect(try outbox.database.profile(owner: "sales")?.heldUntil == nil)
            #expect(try server.messages().count == 1)
        }
    }

    @Test func aWedgedWorkerStopsTheWatchdogPings() throws {
        let outbox = try ServiceOutbox()
        // The server answers the message's data only after 6 s: the worker is stuck in one step.
        try withTestSMTPServer(["--stall-in-data", "6"]) { server in
            try outbox.setProfile("billing", port: server.port)
            let pings = Atomic<Int>(0)
            let service = OutboxService(
                database: outbox.database, settings: ServiceSettings(delivery: ServiceOutbox.delivery(), stallLimit: .seconds(1)),
                watchdogInterval: .milliseconds(100), watchdogPing: { pings.add(1, ordering: .relaxed) })
            try service.start()
            defer { service.stop() }
            #expect(ServiceOutbox.wait(5) { pings.load(ordering: .relaxed) >= 3 }, "an idle engine is healthy")

            try outbox.enqueue(owner: "billing", to: ["slow@example.net"])
            #expect(ServiceOutbox.wait(5) { !service.stalledSteps.isEmpty }, "the stuck worker is noticed")
            #expect(service.stalledSteps.first?.hasPrefix("worker ") == true, "\(service.stalledSteps)")
            usleep(300_000)  // a beat that began before the stall was noticed may still ping
            let whileStuck = pings.load(ordering: .relaxed)
            usleep(1_500_000)
            #expect(pings.load(ordering: .relaxed) == whileStuck, "no ping while a worker is stuck")

            // The server answers; the worker moves on and the pings resume.
            #expect(try ServiceOutbox.wait(15) { try outbox.database.status().totals["sent", default: 0] == 1 })
            #expect(ServiceOutbox.wait(5) { pings.load(ordering: .relaxed) > whileStuck + 3 })
        }
    }

    @Test func theDefaultStallLimitCoversTheLongestSend() {
        let delivery = DeliveryConfiguration()
        #expect(ServiceSettings.defaultStallLimit(delivery) == delivery.connectTimeout + delivery.totalTimeout + .seconds(60))
        #expect(ServiceSettings.defaultStallLimit(delivery) >= delivery.leaseDuration)
    }
}
